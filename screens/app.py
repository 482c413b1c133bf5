"""The touchscreen app: one window, a screen manager, and the rules that hold on every screen.

``KioskApp`` owns navigation (screens loaded on first use from ``screens.registry``), the idle
timeout with its countdown, elder mode, the 中文/English switch, the error page, toasts and the
default reactions to card and scan events. Device threads reach it only through the event bus,
whose ``dispatch`` (``ui_dispatch`` below) hands every delivery to ``Clock.schedule_once``.
Screens present; the core decides (the card rule is ``kiosk.flows.identity``, hall time is
``ctx.clock``). Never block the UI thread on a device or the database: slow work runs on
``ctx.worker`` or ``ctx.devices.run_job`` and comes back through the bus's dispatch.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.config import Config
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition

from drivers.base import HealthState
from drivers.printer.base import PaperStatus, ReceiptPrinter
from drivers.scanner.wedge_scanner import WedgeScanner
from kiosk import textbreak
from kiosk.clock import local_now
from kiosk.events import (
    CardInserted,
    CardRemoved,
    CardUnreadable,
    CodeScanned,
    DeviceHealthChanged,
    DoorChanged,
    ServiceHealthChanged,
    SessionEnded,
)
from kiosk.flows.identity import CardProblem, check_card, offers_elder_mode
from kiosk.flows.scan_route import ReceiptScanned, ScanKind, route_scan
from kiosk.i18n import default_translator
from kiosk.idle import IdlePhase, IdleTimer
from kiosk.privacy import mask_name
from kiosk.startup import KioskCore, Startup
from kiosk.watchdog import WatchdogFeeder
from screens import kivy_fixes, theme
from screens.fonts import register_default_font
from screens.guidance import Guidance
from screens.navigation import HOME, back_target
from screens.registry import DEVICE_NAMES, SCREENS
from screens.widgets import (
    BreakingLabel,
    CornerGesture,
    IdleOverlay,
    KioskRoot,
    KioskScreen,
    KioskScreens,
    Toast,
    reset_scroll,
)

if TYPE_CHECKING:
    from kiosk.context import KioskContext

log = logging.getLogger(__name__)

TICK_S = 0.2  # idle and countdown checks; cheap, and a countdown never looks stuck
WATCHDOG_TICK_S = 1.0  # the feeder pings at most every WatchdogSec/2 of its own accord
SWITCH_BUDGET_MS = 100.0
STARTUP_PROBE_ENV = "KIOSK_STARTUP_PROBE"  # bench: print when home is drawn and ready, then exit
STARTING_MSG = "正在启动，请稍候…"
KEY_F12 = 293
# Keys a keyboard-wedge scanner sends that have no text of their own (Kivy key codes).
WEDGE_NAMED_KEYS = {13: "enter", 271: "enter", 8: "backspace", 9: "tab"}

# What a citizen is told on the home screen when a device is down (msgids).
STATUS_OFFLINE = {
    "idcard": "身份证阅读器暂停服务，可扫码或到人工窗口办理",
    "scanner": "扫码器暂停服务，可刷身份证办理",
    "camera": "摄像头暂停服务，自助申报暂不可用",
    "printer": "打印机暂停服务，票据将显示在屏幕上",
    "locker": "文件柜暂停服务，请到人工窗口取件",
}
STATUS_PAPER = {
    PaperStatus.OUT: "打印机缺纸，票据将显示在屏幕上",
    PaperStatus.NEAR_END: "打印纸即将用完，已通知工作人员",
}
STATUS_DEGRADED = "{device}工作异常，已通知工作人员"
STATUS_OK = "设备运行正常，欢迎使用"
STATUS_STOPPED = "暂停服务：{reason}，已通知工作人员"


def ui_dispatch(fn: Callable[[], None]) -> None:
    """The event bus's hop to the UI thread: safe to call from any device thread."""
    Clock.schedule_once(lambda _dt: fn(), 0)


class KioskApp(App):
    lang = StringProperty("zh")
    elder = BooleanProperty(False)
    font_scale = NumericProperty(1.0)
    landscape = BooleanProperty(False)
    clock_text = StringProperty("")
    health_version = NumericProperty(0)  # bumped on every device change: status re-renders
    current = StringProperty(HOME)
    elder_offered = BooleanProperty(False)  # a 70+ card was read: home offers elder mode
    # False while the database and the journeys are still being built behind home (below)
    ready = BooleanProperty(False)
    startup_error = ObjectProperty(None, allownone=True)  # why the kiosk could not finish

    def __init__(self, ctx: KioskContext | KioskCore, *,
                 now: Callable[[], float] = time.monotonic,
                 finish: Callable[[KioskCore], KioskContext] | None = None,
                 **kwargs: Any) -> None:
        """``ctx`` complete (tests, tools), or only the core home is drawn from with ``finish``
        (``kiosk run``): the rest is then built on a ``Startup`` thread once home is drawn,
        and until it is ready a tap on a tile is held (正在启动) and followed when it is."""
        super().__init__(**kwargs)
        self.ctx: Any = ctx  # the KioskCore until ready, then the KioskContext
        self.ready = ctx.complete
        self._startup: Startup | None = None
        if not ctx.complete:
            if finish is None:
                raise ValueError("an incomplete context needs finish (kiosk.context)")
            self._startup = Startup(ctx, finish, self._context_ready, self._context_failed)
        self._held: str | None = None  # a screen asked for before the kiosk was ready
        self._baked: set[str] = set()  # screens whose text is drawn into textures already
        self._baking = False
        self.now = now  # monotonic seconds; tests inject a fake to drive timeouts
        self.title = f"{ctx.config.hall.name} 自助终端"
        self.translator = default_translator()
        self.lang = ctx.config.kiosk.language
        t = ctx.config.timeouts
        self.idle = IdleTimer(t.idle_seconds, t.idle_warning_seconds, now())
        self.idle.arm(False, now())
        self.paper: PaperStatus | None = None
        self.last_switch_ms = 0.0
        self.sim_panel: Any = None
        self._overlay: IdleOverlay | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._tz = ctx.tz
        self._probe = os.environ.get(STARTUP_PROBE_ENV) == "1"
        self.guidance: Guidance | None = None  # voice prompts and the card reminder (build)
        # systemd's watchdog, fed from the UI loop: a frozen screen stops the pings
        # (real monotonic time: tests drive ``now`` by hand, systemd's deadline is real)
        self.watchdog = WatchdogFeeder.from_environment(time.monotonic)

    # ---- building -------------------------------------------------------------------------
    def build(self) -> KioskRoot:
        Config.set("kivy", "exit_on_escape", "0")  # a citizen's Esc key must not close the kiosk
        kivy_fixes.apply()  # bindings Kivy would leave behind over months of scrolling
        register_default_font()
        Window.clearcolor = theme.BACKGROUND  # every screen's background (see widgets.kv)
        root = KioskRoot(on_activity=self.note_activity)
        self.sm = KioskScreens(transition=NoTransition())
        root.add_widget(self.sm)
        self.toast_label = Toast()
        root.add_widget(self.toast_label)
        if self.ctx.simulate:
            root.add_widget(CornerGesture(self.toggle_sim_panel, self.now, size_hint=(None, None),
                                          size=(140, 140), pos_hint={"right": 1, "top": 1}))
        Window.bind(on_resize=self._on_resize, on_key_down=self._on_key_down,
                    on_request_close=self._on_request_close)
        self._lock_down()
        self._on_resize(Window, *Window.size)
        self._subscribe()
        self.guidance = Guidance(self)
        self._update_clock()
        Clock.schedule_interval(self._tick, TICK_S)
        Clock.schedule_interval(self._update_clock, 1.0)
        Clock.schedule_interval(self._feed_watchdog, WATCHDOG_TICK_S)
        self.go(HOME)
        return root

    # ---- lockdown: a kiosk in a hall is not a desktop app ----------------------------------
    def _lock_down(self) -> None:
        """In production no cursor and no screen blanking (full screen is set before the window
        exists, by ``screens.cli.configure_window``); ``--simulate`` keeps a desktop window."""
        if self.ctx.simulate:
            return
        Window.show_cursor = False
        Window.allow_screensaver = False

    def _on_request_close(self, *_: object, **__: object) -> bool:
        """Alt+F4, a title-bar button, a window manager's close: nothing in production (True
        stops Kivy closing). An exit 0 would also tell systemd not to restart the kiosk."""
        if self.ctx.simulate:
            return False
        log.warning("window close request ignored (production kiosk)")
        return True

    def _feed_watchdog(self, *_: object) -> None:
        self.watchdog.tick()

    def open_settings(self, *_: object) -> bool:
        """Kivy opens its settings panel on F1: never on a kiosk."""
        return False

    def on_start(self) -> None:
        if self.ready:
            self._start_services()
        Window.bind(on_flip=self._first_frame)

    def _start_services(self) -> None:
        self.ctx.devices.start()
        self.ctx.sync.start()  # sends the outbox to the hall server, if one is configured
        if self.ctx.health is not None:
            self.ctx.health.start()  # database and disk: out of service while either fails
        self._check_paper()

    def on_stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        Clock.unschedule(self._tick)
        Clock.unschedule(self._update_clock)
        if self.guidance is not None:
            self.guidance.close()
        Clock.unschedule(self._feed_watchdog)
        Window.unbind(on_resize=self._on_resize, on_key_down=self._on_key_down,
                      on_request_close=self._on_request_close)
        self.watchdog.stopping()
        if self._startup is not None and not self.ready:
            self._startup.abandon()  # stopped while starting: close what the thread built
        self.ctx.close()

    def _first_frame(self, *_: object) -> None:
        Window.unbind(on_flip=self._first_frame)
        log.info("home screen drawn")
        if self._probe:
            print(f"KIOSK_HOME_DRAWN {time.time():.6f}", flush=True)
        if self._startup is not None:
            self._startup.start()  # the database and the journeys, behind home
        else:
            self._became_ready()

    def _context_ready(self, ctx: KioskContext) -> None:
        """The database and the journeys are built (``Startup``, on the UI thread)."""
        self.ctx = ctx
        self.ready = True
        self._start_services()
        for screen in self.sm.screens:
            screen.context_ready()
        self.health_version += 1  # the status line may name a device or a fault now
        self._became_ready()
        held, self._held = self._held, None
        if held is not None and self.current == HOME:
            self.go(held)

    def _context_failed(self, exc: BaseException) -> None:
        """The database could not be opened or migrated: the kiosk ends, and ``kiosk run``
        says why in one line (a supervisor restarts it), as it did before the window opened."""
        self.startup_error = exc
        self.stop()

    def _became_ready(self) -> None:
        log.info("kiosk ready")
        self.watchdog.ready("kiosk ready")
        if self._probe:
            print(f"KIOSK_READY {time.time():.6f}", flush=True)
            Clock.schedule_once(lambda _dt: self.stop(), 0)
            return
        # Load the other screens now, one per frame, so the first visit to each is instant;
        # the catalogue's pinyin initials (a 0.4 s dictionary load) are built off the UI thread.
        Clock.schedule_once(self._warm_screens, 0.3)
        self.ctx.worker.run(self.ctx.catalogue.warm_up, lambda _outcome: None)
        # the word dictionary for Chinese line breaking (about a second): labels drawn before
        # it is ready broke by character and are broken again by word once it is
        self.ctx.worker.run(textbreak.warm_up, lambda _outcome: self.rebreak_labels())

    def rebreak_labels(self) -> None:
        """Draw every label's lines again (the word dictionary arrived)."""
        for root in [self.root, *self.sm.screens]:
            for widget in root.walk(restrict=True):
                if isinstance(widget, BreakingLabel) and widget.text:
                    widget._trigger_texture()
        self._baked.clear()  # lines broken by word now: their pixels are drawn again
        self._start_baking()

    def warmed(self) -> bool:
        """The start-up warm-up is over: every screen built and its text drawn."""
        # baking starts only once every screen is built and the dictionary is in (and starts
        # again when it arrives later), so every screen baked and no bake running says it all
        return not self._baking and self._baked >= set(SCREENS)

    def _start_baking(self) -> None:
        if not self._baking and textbreak.ready() and all(self.sm.has_screen(n) for n in SCREENS):
            self._baking = True
            Clock.schedule_once(self._bake_screens, 0)

    def _bake_screens(self, *_: object) -> None:
        """One screen a frame, behind home: each label's text drawn into its texture now.
        Kivy draws a label's pixels the first time its texture is bound, i.e. on the frame a
        screen first appears; a first visit then paid for every text on it (tens of ms on a
        software renderer) while the citizen waited."""
        for screen in self.sm.screens:
            if screen.name in self._baked:
                continue
            self._baked.add(screen.name)
            for widget in screen.walk(restrict=True):
                if isinstance(widget, Label) and widget.texture is not None:
                    widget.texture.bind()
            Clock.schedule_once(self._bake_screens, 0)
            return
        self._baking = False
        self._freeze_heap()

    def _freeze_heap(self) -> None:
        """Everything built so far lives as long as the app: move it out of the collector's
        reach (``gc.freeze``). A full collection walks every tracked object — 770,000 after
        the warm-up, ~0.3 s on this hardware, on the UI thread at a moment nobody chooses — and
        after the freeze walks only what was made since. Collected once first, so no garbage
        is frozen; objects freed by their reference count are still freed as before."""
        started = time.perf_counter()
        gc.collect()
        gc.freeze()
        log.info("warm-up done: %d objects frozen in %.0f ms", gc.get_freeze_count(),
                 (time.perf_counter() - started) * 1000)

    def _warm_screens(self, *_: object) -> None:
        for name in SCREENS:
            if not self.sm.has_screen(name):
                started = time.perf_counter()
                # Laid out at the window's size now, behind home: a screen the manager has not
                # shown is 100×100, so its first visit would wrap every label and make every
                # text texture again on the frame a citizen is waiting for.
                screen = self._screen(name)
                screen.size = self.sm.size
                screen.warm()
                log.debug("warmed %s in %.0f ms", name, (time.perf_counter() - started) * 1000)
                Clock.schedule_once(self._warm_screens, 0)
                return
        self._start_baking()  # every screen is built and laid out

    def _on_resize(self, _window: object, width: int, height: int) -> None:
        self.landscape = width > height

    def _on_key_down(self, _window: object, key: int, _scancode: int = 0,
                     codepoint: str | None = None, *_: object) -> bool:
        self.note_activity()
        if key == KEY_F12 and self.ctx.simulate:
            self.toggle_sim_panel()
            return True
        wedge = self._wedge_scanner()
        if wedge is not None:
            name = codepoint or WEDGE_NAMED_KEYS.get(key)
            if name:
                # The kiosk has no text fields: keys a person typed are dropped, a fast burst
                # ending in Enter becomes a scan that the device manager publishes.
                wedge.feed_key(name, self.now())
        return False

    def _wedge_scanner(self) -> WedgeScanner | None:
        scanner = self.ctx.devices.get("scanner")
        return scanner if isinstance(scanner, WedgeScanner) else None

    # ---- translation and hall facts for .kv expressions ---------------------------------------
    def tr(self, msgid: str, lang: str | None = None, **fmt: object) -> str:
        return self.translator.tr(msgid, lang or self.lang, **fmt)

    def hall_name(self, lang: str) -> str:
        hall = self.ctx.config.hall
        return hall.name if lang == "zh" else hall.name_en

    def hall_now(self) -> datetime:
        """Hall time by the kiosk's one clock (``ctx.clock``), in the hall's zone."""
        return local_now(self.ctx.clock, self._tz)

    def today(self) -> date:
        return self.hall_now().date()

    def _update_clock(self, *_: object) -> None:
        now = self.hall_now()
        weekday = "一二三四五六日"[now.weekday()]
        day = (f"{now.month}月{now.day}日 星期{weekday}" if self.lang == "zh"
               else now.strftime("%a %d %b %Y"))
        self.clock_text = f"[size={int(theme.FONT_HEADING * 1.4 * self.font_scale)}][b]" \
                          f"{now:%H:%M}[/b][/size]\n{day}"

    def on_lang(self, *_: object) -> None:
        self.ctx.sessions.current.language = self.lang
        self._update_clock()

    def problems(self) -> list[str]:
        """msgids (already filled) of what does not work now, for the home status line."""
        out: list[str] = []
        health = getattr(self.ctx, "health", None)  # None until ready
        if health is not None and not health.verdict.ok:
            out.append(self.tr(STATUS_STOPPED, reason=self.tr(health.verdict.reason)))
        devices = self.ctx.devices
        for kind in devices.kinds():
            health = devices.health(kind)
            name = self.tr(DEVICE_NAMES.get(kind, kind))
            if kind == "printer" and self.paper in STATUS_PAPER:
                out.append(self.tr(STATUS_PAPER[self.paper]))  # more precise than "offline"
            elif health.state is HealthState.OFFLINE:
                out.append(self.tr(STATUS_OFFLINE.get(kind, STATUS_DEGRADED), device=name))
            elif health.state is HealthState.DEGRADED:
                out.append(self.tr(STATUS_DEGRADED, device=name))
        return out

    def hall_status(self, lang: str, _version: float = 0) -> str:
        problems = self.problems()
        return "；".join(problems) if problems else self.tr(STATUS_OK, lang)

    def hall_status_ok(self, _version: float = 0) -> bool:
        return not self.problems()

    # ---- navigation -----------------------------------------------------------------------
    def _screen(self, name: str) -> KioskScreen:
        if not self.sm.has_screen(name):
            spec = SCREENS[name]
            cls = getattr(importlib.import_module(spec.module), spec.cls)
            self.sm.add_widget(cls(name=name))
        return self.sm.get_screen(name)

    def go(self, name: str) -> None:
        started = time.perf_counter()
        if not self.ready and name != HOME:
            self._held = name  # followed as soon as the journeys are built (_context_ready)
            self.say_starting()
            return
        if name not in SCREENS:
            log.error("no screen named %r is registered", name)
            self.show_error("暂时无法办理", "该功能暂未开放")
            return
        screen = self._screen(name)
        if name != self.sm.current:
            reset_scroll(screen)  # every citizen starts at the top, never at the last one's place
        self.sm.current = name
        self.current = name
        self.last_switch_ms = (time.perf_counter() - started) * 1000
        if self.last_switch_ms > SWITCH_BUDGET_MS:
            log.warning("switching to %s took %.0f ms", name, self.last_switch_ms)
        self.note_activity()

    def back(self) -> None:
        # A screen may know better where Back leads (the guide returns to the flow it was
        # opened from): its go_back() returns True when it has navigated itself.
        go_back = getattr(self.sm.current_screen, "go_back", None)
        if go_back is not None and go_back():
            return
        self.go(back_target(self.current))

    def open_guide(self, item_id: str) -> None:
        """The service guide on ``item_id`` from inside any flow; its Back returns here."""
        if self.ctx.flows.guide.open(item_id, return_to=self.current):
            self.go("guide_item")

    def say_starting(self) -> None:
        """What a tap before the journeys exist is told (``kiosk.startup``)."""
        self.toast(self.tr(STARTING_MSG), seconds=3)

    def go_home(self) -> None:
        self.go(HOME)

    def show_error(self, title_msgid: str, message_msgid: str,
                   next_msgid: str = "请返回首页重新操作，或到咨询台请工作人员帮助",
                   **fmt: object) -> None:
        """Full-screen error page in both languages; returns home by itself."""
        screen = self._screen("error")
        seconds = self.ctx.config.timeouts.error_page_seconds * self.idle.factor
        screen.show(title_msgid, message_msgid, next_msgid, fmt, seconds, self.now())  # type: ignore[attr-defined]
        log.info("error page: %s / %s", title_msgid, message_msgid)
        self.go("error")

    def request_maintenance(self) -> None:
        """The hidden corner on home: the technician's PIN pad (``MaintenanceFlow``)."""
        if not self.ready:
            self.say_starting()
            return
        flow = self.ctx.flows.maintenance
        if flow is None:
            log.warning("maintenance gesture seen, but no maintenance flow is built")
            return
        log.info("maintenance gesture seen")
        flow.open_pad()
        self.go("maint_pin")

    # ---- modes ----------------------------------------------------------------------------
    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def set_elder(self, on: bool) -> None:
        self.elder = on
        self.font_scale = theme.ELDER_FONT_SCALE if on else 1.0
        factor = self.ctx.config.timeouts.elder_factor if on else 1.0
        self.idle.set_factor(factor, self.now())
        self._update_clock()

    # ---- idle timeout ---------------------------------------------------------------------
    def note_activity(self) -> None:
        self.idle.touch(self.now())

    def keep_session(self) -> None:
        self.note_activity()
        self._hide_overlay()

    def _needs_idle_watch(self) -> bool:
        """Nothing to give back on a pristine home screen; anything else times out."""
        return (self.current != HOME or self.ctx.sessions.current.identified or self.elder
                or self.lang != self.ctx.config.kiosk.language)

    def _tick(self, *_: object) -> None:
        now = self.now()
        wedge = self._wedge_scanner()
        if wedge is not None:
            wedge.flush(now)  # release a person's stray keys once no burst follows
        screen = self.sm.current_screen
        tick = getattr(screen, "tick", None)
        if tick is not None:
            tick(now)
        if self.guidance is not None:
            self.guidance.tick(now)
        self.idle.arm(self._needs_idle_watch(), now)
        state = self.idle.state(now)
        if state.phase is IdlePhase.ACTIVE:
            self._hide_overlay()
        elif state.phase is IdlePhase.WARNING:
            self._show_overlay(state.seconds_left)
        else:
            self._timeout()

    def _show_overlay(self, seconds_left: int) -> None:
        if self._overlay is None:
            self._overlay = IdleOverlay()
            # above the screens and the toast, below the sim panel
            self.root.add_widget(self._overlay, index=1 if self.sim_panel_open else 0)
        self._overlay.seconds_left = seconds_left

    def _hide_overlay(self) -> None:
        if self._overlay is not None:
            self.root.remove_widget(self._overlay)
            self._overlay = None

    @property
    def idle_overlay(self) -> IdleOverlay | None:
        return self._overlay

    def _timeout(self) -> None:
        log.info("idle timeout on %s: session ended", self.current)
        self._hide_overlay()
        self.ctx.sessions.end("timeout")
        # the next citizen starts from the hall's defaults, not the last person's choices
        self.lang = self.ctx.config.kiosk.language
        self.set_elder(False)
        self.go_home()
        self.idle.arm(False, self.now())

    # ---- events from the core and the devices (already on the UI thread) ---------------------
    def _subscribe(self) -> None:
        bus = self.ctx.bus
        self._unsubscribe += [
            bus.subscribe(CardInserted, self._on_card_inserted),
            bus.subscribe(CardRemoved, self._on_card_removed),
            bus.subscribe(CardUnreadable, self._on_card_unreadable),
            bus.subscribe(CodeScanned, self._on_code_scanned),
            bus.subscribe(DeviceHealthChanged, self._on_health),
            bus.subscribe(DoorChanged, self._on_door),
            bus.subscribe(SessionEnded, self._on_session_ended),
            bus.subscribe(ServiceHealthChanged, self._on_service_health),
        ]

    def toast(self, text: str, seconds: float = 5.0) -> None:
        self.toast_label.show(text, seconds)

    def _on_card_inserted(self, event: CardInserted) -> None:
        self.note_activity()
        if self.sm.current_screen.card_inserted(event.card):
            return
        card = event.card
        verdict = check_card(card, self.today())
        if verdict.problem is CardProblem.EXPIRED:
            self.toast(self.tr("身份证已过期（有效期至 {date}），请使用有效证件或到人工窗口办理",
                               date=verdict.until_text), seconds=8)
            return
        if not verdict.accepted:
            self.toast(self.tr("证件号码校验失败，请到人工窗口办理"), seconds=8)
            return
        session = self.ctx.sessions.current
        session.card = card
        session.started_at = session.started_at or self.ctx.clock.now()
        log.info("card read outside a flow; session %s identified", session.id[:8])
        greeting = self.tr("{name}，您好！已读取身份证，请选择要办理的业务",
                           name=mask_name(card.name))
        if not self.elder and offers_elder_mode(card, self.today(),
                                                self.ctx.config.green_channel.min_age):
            # offered, never imposed, and never in the way: the toggle on home says so and the
            # greeting points to it; the journey goes on with no extra tap
            self.elder_offered = True
            greeting += self.tr("；如需大字，请点“长辈模式”", self.lang)
        self.toast(greeting, seconds=8)

    def _on_card_removed(self, _event: CardRemoved) -> None:
        if self.sm.current_screen.card_removed():
            return
        if self.ctx.sessions.current.identified:
            self.ctx.sessions.end("card_removed")
            self.toast(self.tr("身份证已取走，您的个人信息已清除"))

    def _on_card_unreadable(self, event: CardUnreadable) -> None:
        self.note_activity()
        self.toast(self.tr(event.message_zh), seconds=6)

    def _on_code_scanned(self, event: CodeScanned) -> None:
        self.note_activity()
        if self.sm.current_screen.code_scanned(event.code):
            return
        self.route_scan(event.code.text)

    def route_scan(self, text: str) -> None:
        """A code scanned where no step asked for one goes where it should (the rule is
        ``kiosk.flows.scan_route``): a ticket shows with 补打, a case receipt opens progress
        lookup (``ReceiptScanned`` carries its token), anything else checks in."""
        route = route_scan(text, self.ctx.config.hall, self.ctx.queue.secret)
        queue = self.ctx.flows.queue
        if route.kind is ScanKind.TICKET:
            if not self.current.startswith("queue"):
                self.go_home()  # home (or a queue view) opens the ticket once it is found
            queue.open_ticket(route.ticket_id)
        elif route.kind is ScanKind.CASE_RECEIPT:
            self.ctx.bus.publish(ReceiptScanned(route.token))
            if "progress" in SCREENS:
                self.go("progress")  # entering progress starts the flow afresh: go first
                self.ctx.flows.progress.code_scanned(text)
            else:
                self.toast(self.tr("办件查询暂未开放，请到服务台查询办件进度"), seconds=8)
        else:
            self.go("queue_appointment")
            queue.check_in(code=route.code)

    def _on_health(self, event: DeviceHealthChanged) -> None:
        if event.kind == "printer":
            self._check_paper()
        self.health_version += 1
        if self.sim_panel is not None:
            self.sim_panel.refresh()

    def _on_service_health(self, _event: ServiceHealthChanged) -> None:
        self.health_version += 1  # home redraws its tiles (暂停服务) and the status line

    def _on_door(self, _event: DoorChanged) -> None:
        if self.sim_panel is not None:
            self.sim_panel.refresh()

    def _on_session_ended(self, event: SessionEnded) -> None:
        self.elder_offered = False
        for screen in self.sm.screens:
            screen.session_ended(event.reason)
        if event.reason == "completed":
            # 完成: the next citizen starts from the hall's defaults, not this one's choices
            self.lang = self.ctx.config.kiosk.language
            self.set_elder(False)

    def _check_paper(self) -> None:
        """Ask the printer for its paper on a worker thread; the answer re-renders the status."""
        devices = self.ctx.devices
        if not isinstance(devices.get("printer"), ReceiptPrinter):
            return

        def done(future: Any) -> None:
            try:
                paper = future.result()
            except Exception as exc:  # a failed round trip shows as "offline" already
                log.info("paper status unavailable: %s", exc)
                paper = None
            self.ctx.dispatch(lambda: self._set_paper(paper))  # the bus's hop to the UI

        devices.run_job("printer", lambda printer: printer.paper_status()).add_done_callback(done)

    def _set_paper(self, paper: PaperStatus | None) -> None:
        if paper != self.paper:
            self.paper = paper
            self.health_version += 1

    # ---- simulated hardware panel -----------------------------------------------------------
    @property
    def sim_panel_open(self) -> bool:
        return self.sim_panel is not None and self.sim_panel.parent is not None

    def toggle_sim_panel(self) -> None:
        if not self.ctx.simulate:
            return
        if self.sim_panel_open:
            self.root.remove_widget(self.sim_panel)
            return
        if self.sim_panel is None:
            from screens.simpanel import SimPanel

            self.sim_panel = SimPanel(self.ctx)
        self.sim_panel.refresh()
        self.root.add_widget(self.sim_panel)
