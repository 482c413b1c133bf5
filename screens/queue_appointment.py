"""预约签到: an appointment becomes a ticket by scanning its QR code or tapping the ID card.

Forwards the scan or the card to the flow, which applies the card rule, commits the check-in off
the UI thread and shows the ticket on the same ticket view as any other. Too early, too late,
another day, not found, already checked in or an unusable card are the flow's notices, shown
with the times, never silently ignored. Scans and cards reach this view through the app's
per-screen hooks only while it is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from screens.queue_common import QueueView

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard
    from drivers.scanner.base import ScannedCode

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueAppointmentScreen(QueueView):
    title = StringProperty("预约签到")
    checking = BooleanProperty(False)  # a check-in is being committed
    reader_online = BooleanProperty(True)  # the words change when the reader is out of service

    def on_kv_post(self, base_widget: object) -> None:
        self.app.bind(health_version=lambda *_: self._redraw_if_shown())

    def enter(self) -> None:
        self.flow.enter_appointment()

    def code_scanned(self, code: ScannedCode) -> bool:
        self.flow.check_in(code=code.text)
        return True

    def card_inserted(self, card: IdCard) -> bool:
        self.flow.check_in(card=card)
        return True

    def card_removed(self) -> bool:
        return True

    def on_leave(self, *_: object) -> None:
        self.checking = self.state.issuing

    def draw(self) -> None:
        self.checking = self.state.issuing
        self.reader_online = self.app.ctx.devices.is_usable("idcard")
