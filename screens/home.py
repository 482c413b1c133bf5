"""The home screen: hall name, clock, hall status and one large tile per working capability.

Which tiles exist is data (``screens.registry.TILES``), whether each is enabled and why not is the
kiosk mode's verdict, and the queue overview is read by ``HomeFlow`` off the UI thread; this
screen only draws them. It shows no personal data except the short masked greeting toast the app
raises when a card is tapped. Never call a device or the database from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows.base import FlowChanged
from kiosk.schedule import opens_msg
from screens.registry import DEVICE_NAMES, SCREENS, TileState, visible_tiles
from screens.widgets import CornerGesture, KioskScreen

if TYPE_CHECKING:
    from kiosk.flows.home import HomeFlow

HOME_FLOW, QUEUE_FLOW = "home", "queue"  # HomeFlow.name, QueueFlow.name

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

TILE_RECHECK_S = 5.0  # while home is shown, how often the mode's verdicts are asked again

class TileButton(ButtonBehavior, BoxLayout):
    ident = StringProperty("")
    title = StringProperty("")  # msgid
    subtitle = StringProperty("")  # msgid
    icon = StringProperty("")
    target = StringProperty("")
    reason = StringProperty("")  # msgid of why it is disabled, "" when enabled
    device = StringProperty("")  # msgid of the device named in ``reason``
    closed = BooleanProperty(False)
    opens_at = ObjectProperty(None, allownone=True)  # closed by the hours: when it opens

    def note(self, lang: str) -> str:
        """The line under the title: what it does, or why it is closed and until when."""
        app = self.app
        if self.opens_at is not None:
            return str(app.tr("{when} 开放", lang, when=opens_msg(self.opens_at, app.hall_now())))
        if self.reason:
            return str(app.tr(self.reason, lang, device=app.tr(self.device, lang)))
        return str(app.tr(self.subtitle, lang))

    @property
    def app(self) -> Any:
        return App.get_running_app()


class QueueRow(ButtonBehavior, BoxLayout):
    """One category of the hall's queue, and the quickest way to a number in it: a tap goes
    straight to its service items (one tap fewer than through 取号)."""

    ident = StringProperty("")
    code = StringProperty("")
    name = StringProperty("")
    name_en = StringProperty("")
    waiting = StringProperty("0")
    last_called = StringProperty("")
    takes_numbers = BooleanProperty(True)


class HomeScreen(KioskScreen):
    title = StringProperty("首页")
    # one dict per category: name, name_en, waiting, last_called; empty hides the overview
    queue_rows = ListProperty([])
    # records not yet delivered to the hall server (-1: standalone kiosk or not read yet) and
    # the age of the oldest in minutes (-1: none waiting)
    sync_pending = NumericProperty(-1)
    sync_oldest_min = NumericProperty(-1)
    # after hours: what is closed and when it opens, and what still works ("" when all open)
    closed_text = StringProperty("")
    queue_open = BooleanProperty(True)  # the 取号 tile can be pressed: the rows are shortcuts
    calling_staff = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        app = self.app
        # Reserved for the technician's maintenance mode (hidden gesture + PIN), not built yet.
        self.add_widget(CornerGesture(app.request_maintenance, app.now, size_hint=(None, None),
                                      size=(140, 140), pos_hint={"x": 0, "top": 1}))
        app.bind(health_version=lambda *_: self.refresh_tiles())
        app.bind(lang=lambda *_: self._draw_closed(self._tile_states or []))
        app.ctx.bus.subscribe(FlowChanged, self._flow_changed)
        self.refresh_tiles()

    @property
    def flow(self) -> HomeFlow:
        return self.app.ctx.flows.home  # type: ignore[no-any-return]

    def on_pre_enter(self, *_: object) -> None:
        self.refresh_tiles()
        if self.app.ready:  # else context_ready() does this
            self._read_flows()

    def context_ready(self) -> None:
        """Home was drawn before the journeys existed (``kiosk.startup``): read them now."""
        self._read_flows()
        self._show_sync_status()

    def _read_flows(self) -> None:
        self.refresh_queue_status()
        notice = self.app.ctx.flows.queue.state.notice
        self._notice_seen = notice.serial if notice else 0

    # ---- the hall's queue at a glance -------------------------------------------------------
    _tiles_at = 0.0

    def tick(self, now: float) -> None:
        if "queue" in SCREENS and self.app.ready:
            self.flow.tick(now)
        if now - self._tiles_at >= TILE_RECHECK_S:  # the mode follows the hall's hours
            self._tiles_at = now
            self.refresh_tiles()

    def refresh_queue_status(self) -> None:
        if "queue" in SCREENS and self.app.ready:
            self.flow.refresh_queue_status(self.app.now())

    def _flow_changed(self, event: FlowChanged) -> None:
        # journeys' modules are imported once they are built, not for home's first frame
        from kiosk.flows.queue_state import QueueStep
        from screens.queue_common import show_refusal

        if event.flow == HOME_FLOW:
            self._show_queue_status()
            self._show_sync_status()
            self._show_staff_call()
        elif (event.flow == QUEUE_FLOW and self.manager is not None
              and self.manager.current == self.name
              and self.app.ctx.flows.queue.state.step is QueueStep.TICKET):
            # 首页 was tapped while a number was being committed: the ticket is taken and
            # printing, so it is shown (and the session ends with it), never left behind; or a
            # ticket's QR was scanned here and the ticket was found.
            self.app.go("queue_ticket")
        elif (event.flow == QUEUE_FLOW and self.manager is not None
              and self.manager.current == self.name):
            notice = self.app.ctx.flows.queue.state.notice
            if notice is not None and notice.serial > self._notice_seen and notice.refusal:
                self._notice_seen = notice.serial  # e.g. a scanned ticket not of today
                show_refusal(notice.refusal, notice.heading)

    def _show_queue_status(self) -> None:
        status = self.flow.state.queue_status
        if status is None:
            return
        rows = [{"code": c.code, "name": c.name, "name_en": c.name_en,
                 "waiting": str(c.waiting), "last_called": c.last_called or ""}
                for c in status.categories]
        if rows == self.queue_rows:
            return
        self.queue_rows = rows
        box = self.ids.queue_rows
        shown = list(reversed(box.children))
        if [b.code for b in shown] == [r["code"] for r in rows]:
            for button, row in zip(shown, rows, strict=True):  # same rows: relabel, never
                for key, value in row.items():  # rebuild under a finger reaching for one
                    setattr(button, key, value)
            return
        box.clear_widgets()
        for row in self.queue_rows:
            button = QueueRow(ident=f"home_queue_{row['code']}", **row)
            button.takes_numbers = self.queue_open
            button.disabled = not self.queue_open
            button.bind(on_release=lambda b: self.take_number(b.code))
            box.add_widget(button)

    def take_number(self, code: str) -> None:
        """A category row: straight to its items (the flow starts as 取号 would start it)."""
        flow = self.app.ctx.flows.queue
        flow.start()
        flow.choose_category(code)
        self.app.go("queue_items")

    # ---- 呼叫工作人员 -------------------------------------------------------------------------
    def call_staff(self) -> None:
        if not self.app.ready:
            self.app.say_starting()
            return
        if self.flow.call_staff():
            self.calling_staff = True

    _calls_seen = 0
    _notice_seen = 0

    def _show_staff_call(self) -> None:
        state = self.flow.state
        self.calling_staff = state.calling_staff
        if state.staff_calls > self._calls_seen:
            self._calls_seen = state.staff_calls
            self.app.toast(self.app.tr("已通知工作人员，请在此稍候", self.app.lang), seconds=10)
        elif state.staff_call_failed and not state.calling_staff:
            self.app.toast(self.app.tr("暂时无法呼叫，请到服务台请工作人员帮助", self.app.lang),
                           seconds=10)

    def _show_sync_status(self) -> None:
        status = self.flow.state.sync_status
        if status is None:
            self.sync_pending, self.sync_oldest_min = -1, -1
            return
        self.sync_pending = status.pending
        age = status.oldest_pending_age_s
        self.sync_oldest_min = -1 if age is None else int(age // 60)

    def sync_text(self, lang: str, pending: float, oldest_min: float) -> str:
        """One muted line for staff walking past: how much the hall has not received yet."""
        if pending < 0:
            return ""
        if pending == 0:
            return self.app.tr("已与大厅同步", lang)
        text = self.app.tr("待上传大厅的记录 {n} 条", lang, n=int(pending))
        if oldest_min >= 1:
            text += self.app.tr("，最早 {minutes} 分钟前", lang, minutes=int(oldest_min))
        return text

    _tile_states: list[TileState] | None = None

    def refresh_tiles(self) -> None:
        # Home is shown after every citizen's visit: rebuilding its tiles each time cost
        # 130–170 ms per return (bench/bench_screens.py). Rebuild only when a tile changed.
        states = visible_tiles(self.app.ctx)
        if states == self._tile_states:
            return
        self._tile_states = states
        grid = self.ids.tiles
        grid.clear_widgets()
        for state in states:
            grid.add_widget(self._tile(state))
        self._draw_closed(states)

    def _draw_closed(self, states: list[TileState]) -> None:
        """After hours: say at once what is closed and when it opens, and what still works."""
        app = self.app
        queue = next((s for s in states if s.tile.id == "queue"), None)
        self.queue_open = queue is not None and queue.enabled
        for row in self.ids.queue_rows.children:
            row.takes_numbers = self.queue_open
            row.disabled = not self.queue_open
        closed = [s for s in states if s.opens_at is not None]
        if not closed:
            self.closed_text = ""
            return
        lang = app.lang
        now = app.hall_now()
        parts = [app.tr("{what}：{when} 开放", lang, what=app.tr(s.tile.title, lang),
                        when=opens_msg(s.opens_at, now)) for s in closed]
        working = [app.tr(s.tile.title, lang) for s in states
                   if s.enabled and s.tile.id != "help"]
        zh = lang == "zh"  # one language per screen, punctuation included
        text = app.tr("现在不在办理时间", lang) + "\n" + ("；" if zh else "; ").join(parts)
        if working:
            text += "\n" + app.tr("仍可使用：{what}", lang,
                                   what=("、" if zh else ", ").join(working))
        self.closed_text = text

    def _tile(self, state: TileState) -> TileButton:
        tile = state.tile
        button = TileButton(ident=f"tile_{tile.id}", title=tile.title, subtitle=tile.subtitle,
                            icon=tile.icon, target=tile.target, reason=state.reason,
                            device=DEVICE_NAMES.get(state.device, ""), closed=not state.enabled,
                            opens_at=state.opens_at)
        button.disabled = not state.enabled
        button.bind(on_release=lambda b: self.app.go(b.target))
        return button
