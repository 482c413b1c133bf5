"""The locker's ID card step: the applicant's own card for a certificate (取件), or the
depositor's card for a night drop-off (夜间投递). Forwards the card to the flow; the flow checks
it (a wrong person: tries left; resting: minutes) and moves on. Shows no personal data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from screens.locker_common import LockerView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LockerCardScreen(LockerView):
    title = StringProperty("刷身份证")
    pickup = BooleanProperty(True)
    busy = BooleanProperty(False)

    def draw(self) -> None:
        self.pickup = self.state.journey == "pickup"
        self.busy = self.state.busy

    def card_inserted(self, card: Any) -> bool:
        return self.flow.card_inserted(card)

    def card_removed(self) -> bool:
        return True  # lifting the card is expected; the session ends with the journey
