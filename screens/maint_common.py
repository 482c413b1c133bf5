"""What the maintenance views share: the base binding a view to ``MaintenanceFlow`` and the
texts drawn from its state (device names, health words, notices).

Views only draw the flow's state and forward taps; the PIN check, device changes, tests and
counters are the flow's and the desk's work, off the UI thread. Nothing here keeps a PIN digit
or a card field beyond the widget showing it now.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App

from kiosk.events import CardUnreadable, DeviceHealthChanged
from kiosk.flows.base import FlowChanged
from kiosk.flows.maintenance import MaintenanceFlow
from kiosk.flows.maintenance_state import MaintState, Notice
from kiosk.i18n import N_
from screens.widgets import KioskScreen

MAINT_SCREENS = ("maint_pin", "maint")

HEALTH_WORDS = {"ok": N_("正常"), "degraded": N_("异常"), "offline": N_("离线"),
                "disabled": N_("未启用"), "unknown": N_("未知")}


def notice_text(app: Any, notice: Notice | None, lang: str) -> str:
    if notice is None:
        return ""
    return str(app.tr(notice.msgid, lang, **dict(notice.params)))


class MaintView(KioskScreen):
    """Redraws from ``MaintenanceFlow.state`` on each of its changes while shown."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        bus = self.app.ctx.bus
        bus.subscribe(FlowChanged, self._flow_changed)
        bus.subscribe(DeviceHealthChanged, self._device_changed)
        bus.subscribe(CardUnreadable, self._card_unreadable)
        self.app.bind(lang=lambda *_: self._redraw_if_shown(),
                      font_scale=lambda *_: self._redraw_if_shown())

    @property
    def flow(self) -> MaintenanceFlow:
        return self.app.ctx.flows.maintenance  # type: ignore[no-any-return]

    @property
    def state(self) -> MaintState:
        return self.flow.state

    @property
    def shown(self) -> bool:
        return self.manager is not None and self.manager.current == self.name

    def on_pre_enter(self, *_: object) -> None:
        self.draw()

    # A card or code in maintenance belongs to the technician's tests, never to a citizen
    # session: the view takes it (the flow shows it on the devices page, nowhere else).
    def card_inserted(self, card: Any) -> bool:
        self.flow.card_inserted(card)
        return True

    def card_removed(self) -> bool:
        return True

    def code_scanned(self, code: Any) -> bool:
        self.flow.code_scanned(str(code.text))
        return True

    def draw(self) -> None:
        raise NotImplementedError

    def route(self) -> bool:
        """Go to the screen the flow's state belongs on; True when it went elsewhere."""
        return False

    def _device_changed(self, _event: DeviceHealthChanged) -> None:
        if self.shown:
            self.flow.devices_changed()

    def _card_unreadable(self, event: CardUnreadable) -> None:
        if self.shown:
            self.flow.card_unreadable(event.message_zh)

    def _redraw_if_shown(self) -> None:
        if self.shown:
            self.draw()

    def _flow_changed(self, event: FlowChanged) -> None:
        if event.flow != MaintenanceFlow.name or not self.shown:
            return
        if not self.route():
            self.draw()

    def on_leave(self, *_: object) -> None:
        nxt = self.manager.current if self.manager is not None else ""
        if nxt not in MAINT_SCREENS:
            self.flow.leave("exit")  # 首页, 返回 or the idle timeout: never stay unlocked


def running_app() -> Any:
    return App.get_running_app()
