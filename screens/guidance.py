"""Guidance that follows the citizen across every journey: short spoken prompts as each screen
opens, and the reminder to take the ID card back when a journey that read it ends.

The app builds one ``Guidance``; it listens to the app's current screen and to the session
keeper's ``TakeCardReminder`` (``kiosk.session``), so every journey — the ones still to come
included — gets both without a line of its own: a new screen adds its prompt to
``kiosk.voice.PROMPTS`` under its screen name. Speaking runs on the voice's own thread
(``kiosk.voice``), never on the UI thread. Never says or shows anything personal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.uix.floatlayout import FloatLayout

from kiosk.events import CardRemoved
from kiosk.session import TakeCardReminder
from kiosk.voice import PROMPTS, Voice

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

REMINDER_SECONDS = 10.0  # on screen unless the card is lifted (or the screen touched) first


class CardReminderOverlay(FloatLayout):
    """请取回身份证, large, over whatever screen the kiosk went to; any touch closes it."""

    def __init__(self, on_close: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_close = on_close

    def on_touch_down(self, touch: Any) -> bool:
        self._on_close()
        return True


class Guidance:
    """The voice and the card reminder, for the whole app."""

    def __init__(self, app: Any, voice: Voice | None = None) -> None:
        self.app = app
        self.voice = voice or Voice(app.ctx.config.voice)
        self.overlay: CardReminderOverlay | None = None
        self._until = 0.0
        bus = app.ctx.bus
        self._unsubscribe = [bus.subscribe(TakeCardReminder, self._remind),
                             bus.subscribe(CardRemoved, lambda _e: self.hide_reminder())]
        app.bind(current=self._screen_changed, elder=self._elder_changed)

    # ---- prompts ----------------------------------------------------------------------------
    def _elder_changed(self, _app: object, elder: bool) -> None:
        self.voice.elder = elder

    def _screen_changed(self, _app: object, name: str) -> None:
        prompt = PROMPTS.get(name)
        if prompt and self.app.lang == "zh":  # the voice is Mandarin: nothing in English mode
            self.voice.say(self.app.tr(prompt, "zh"))

    # ---- the card reminder ------------------------------------------------------------------
    def _remind(self, _event: TakeCardReminder) -> None:
        self.voice.say(self.app.tr(PROMPTS["take_card"], "zh"), urgent=True)
        if self.overlay is None:
            self.overlay = CardReminderOverlay(self.hide_reminder)
            self.app.root.add_widget(self.overlay, index=0)
        self._until = self.app.now() + REMINDER_SECONDS * self.app.idle.factor

    def hide_reminder(self) -> None:
        if self.overlay is not None:
            self.app.root.remove_widget(self.overlay)
            self.overlay = None

    def tick(self, now: float) -> None:
        if self.overlay is not None and now >= self._until:
            self.hide_reminder()

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.voice.close()
