"""Issue 12 as a citizen lives it, in the real app under Xvfb, driven by touches: a ticket from
home in at most four taps (with and without a card laid on home), the card reminder, the reader
out of service, a home that says at night what is closed, 呼叫工作人员, the daily-limit refusal
that shows the citizen's own ticket with 补打, a ticket QR scanned on home, and the green-channel
banner that no longer moves the buttons. Screenshots of every step in zh, en, elder and landscape
go to tests/artifacts/elder_*.png; taps and the slowest screen change to
tests/artifacts/elder_taps.json (the figures in the README)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from drivers.base import Fault
from drivers.idcard.samples import SAMPLE_CARDS
from kiosk.clock import ManualClock
from kiosk.staff_call import KIND
from kiosk.storage.models import Alert
from kiosk.voice import PROMPTS
from tests.ui import layout_rules as rules
from tests.ui.conftest import ARTIFACTS, LANDSCAPE, PORTRAIT, Kiosk
from tests.ui.queue_helpers import HALL_TZ, hall_clock, next_hall_day

pytestmark = pytest.mark.ui

ITEM = "unemployment-registration"  # 失业登记: one ticket a person a day
MODES = {"zh": ("zh", False, PORTRAIT), "en": ("en", False, PORTRAIT),
         "elder": ("zh", True, PORTRAIT), "landscape": ("zh", False, LANDSCAPE)}
FIGURES: dict[str, Any] = {}


@pytest.fixture
def day(kiosk: Kiosk) -> Iterator[ManualClock]:
    from screens.queue_common import close_notices

    clock = kiosk.ctx.clock
    assert isinstance(clock, ManualClock)
    saved = clock.now()
    clock.set(hall_clock(next_hall_day(), time(10, 0)).now())
    kiosk.app.sm.get_screen("home").refresh_tiles()  # the mode's verdicts at the new time
    kiosk.pump()
    try:
        yield clock
    finally:
        close_notices()
        kiosk.app.guidance.hide_reminder()
        kiosk.app.go_home()
        kiosk.resize(PORTRAIT)
        clock.set(saved)
        kiosk.app.sm.get_screen("home").refresh_tiles()
        kiosk.pump()


class Citizen:
    """Taps like a person and counts them; remembers the slowest screen change seen."""

    def __init__(self, kiosk: Kiosk, name: str) -> None:
        self.kiosk, self.name = kiosk, name
        self.taps = 0
        self.worst_ms = 0.0
        self.screens: list[str] = []
        self.step = 0
        kiosk.app.bind(current=self._changed)

    def _changed(self, app: Any, name: str) -> None:
        self.screens.append(name)
        self.worst_ms = max(self.worst_ms, app.last_switch_ms)

    def tap(self, ident: str) -> None:
        self.taps += 1
        self.kiosk.tap(ident)

    def shot(self, what: str) -> None:
        """Screenshot this step, after the layout rules hold on it."""
        from kivy.core.window import Window

        k = self.kiosk
        k.pump(3)
        screen = k.app.sm.current_screen
        window = (Window.width, Window.height)
        problems = (rules.primary_placement(screen, window) + rules.clipped(screen, window)
                    + rules.small_targets(screen, k.app.font_scale))
        assert problems == [], f"{self.name} {what}: {problems}"
        self.step += 1
        k.screenshot(f"elder_{self.name}_{self.step}_{what}")

    def done(self) -> None:
        self.kiosk.app.unbind(current=self._changed)
        FIGURES[self.name] = {"taps": self.taps, "worst_screen_change_ms":
                              round(self.worst_ms, 1), "screens": self.screens}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "elder_taps.json").write_text(json.dumps(FIGURES, indent=2,
                                                              ensure_ascii=False))


def enter_mode(kiosk: Kiosk, mode: str) -> None:
    lang, elder, window = MODES[mode]
    kiosk.resize(window)
    kiosk.app.lang = lang
    kiosk.app.set_elder(elder)
    kiosk.pump(3)


def wait_ticket(kiosk: Kiosk) -> None:
    kiosk.wait_until(lambda: kiosk.app.current == "queue_ticket", what="the ticket")
    kiosk.wait_until(lambda: kiosk.ctx.flows.queue.state.print_state.value == "printed",
                     what="the ticket printed")


def take_number(citizen: Citizen) -> None:
    k = citizen.kiosk
    k.wait_until(lambda: not k.ctx.flows.queue.state.estimating, what="the estimate")
    citizen.tap("queue_confirm_take")
    wait_ticket(k)


@pytest.mark.parametrize("mode", list(MODES))
def test_a_ticket_from_home_in_four_taps_without_a_card(kiosk: Kiosk, day: ManualClock,
                                                        mode: str) -> None:
    """Given home, when a citizen without a card taps the 社会民生 row, 失业登记, 跳过 and
    确认取号, then the ticket is shown and printed: 4 taps (it took 5 through the tiles)."""
    enter_mode(kiosk, mode)
    citizen = Citizen(kiosk, f"no_card_{mode}")
    kiosk.wait_until(lambda: kiosk.find("home_queue_social") is not None, what="queue rows")
    citizen.shot("home")
    citizen.tap("home_queue_social")
    assert kiosk.app.current == "queue_items"
    citizen.shot("items")
    citizen.tap(f"queue_item_{ITEM}")
    assert kiosk.app.current == "queue_identify"
    citizen.shot("identify")
    citizen.tap("queue_identify_next")
    assert kiosk.app.current == "queue_confirm"
    citizen.shot("confirm")
    take_number(citizen)
    citizen.shot("ticket")
    assert citizen.taps == 4
    citizen.done()


@pytest.mark.parametrize("mode", ["zh", "elder"])
def test_a_card_laid_on_home_saves_the_card_step_and_ends_with_the_reminder(
        kiosk: Kiosk, day: ManualClock, mode: str) -> None:
    """Given the elderly sample card laid on the reader on home, when the citizen takes a ticket
    through 取号, then there is no card step and no "next" after the card (4 taps, green
    channel by age), and 完成 ends with 请取回您的身份证 on screen and spoken — which goes away
    when the card is lifted."""
    enter_mode(kiosk, mode)
    said: list[list[str]] = []
    voice = kiosk.app.guidance.voice
    voice._runner = lambda argv: said.append(list(argv)) or 0  # the speaker, recorded
    citizen = Citizen(kiosk, f"card_{mode}")
    kiosk.sim("idcard").present(SAMPLE_CARDS["elderly"])
    kiosk.wait_until(lambda: kiosk.ctx.sessions.current.card is not None, what="card on home")
    if mode == "zh":  # a 70+ card: elder mode is offered on home, without a popup in the way
        kiosk.wait_until(lambda: kiosk.app.elder_offered, what="the elder-mode offer")
        assert kiosk.get("elder_toggle").text == "为您推荐：长辈模式"
    # the greeting toast covers none of the queue table (seen: toasts over it)
    toast = kiosk.app.toast_label
    kiosk.wait_until(lambda: toast.opacity == 1 and toast.text, what="the greeting")
    kiosk.wait_until(lambda: kiosk.find("home_queue_social") is not None, what="queue rows")
    rows = kiosk.get("home_queue_social").parent
    (_, rows_y), (_, toast_y) = rows.to_window(*rows.pos), toast.to_window(*toast.pos)
    assert toast_y >= rows_y + rows.height or toast_y + toast.height <= rows_y
    citizen.shot("home_card_read")
    citizen.tap("tile_queue")
    citizen.tap("queue_category_social")
    citizen.tap(f"queue_item_{ITEM}")
    assert kiosk.app.current == "queue_confirm"  # the card step is not asked again
    assert kiosk.get("queue_confirm_priority").text == "绿色通道 · 老年人"
    citizen.shot("confirm_with_card")
    take_number(citizen)
    assert citizen.taps == 4 and "queue_identify" not in citizen.screens
    citizen.shot("ticket_with_card")
    kiosk.tap("queue_ticket_done")
    kiosk.wait_until(lambda: kiosk.find("card_reminder") is not None, what="the card reminder")
    assert kiosk.get("card_reminder").text == "请取回您的身份证"
    kiosk.wait_until(lambda: any(a[-1] == "请取回您的身份证" for a in said),
                     what="the reminder spoken")
    step_prompts = [a[-1] for a in said if a[-1] != "请取回您的身份证"]
    if mode == "elder":  # on by default in elder mode: each step says what to do
        assert PROMPTS["queue_confirm"] in step_prompts, step_prompts
    else:  # quiet in normal mode, but the card reminder is always said
        assert step_prompts == []
    kiosk.screenshot(f"elder_card_{mode}_reminder")
    kiosk.sim("idcard").remove()
    kiosk.wait_until(lambda: kiosk.find("card_reminder") is None, what="reminder gone")
    assert kiosk.app.lang == "zh" and not kiosk.app.elder  # 完成 resets the citizen's choices
    citizen.done()


def test_the_reader_out_of_service_changes_the_words(kiosk: Kiosk, day: ManualClock) -> None:
    """Given the card reader unplugged, then the card step and check-in stop asking for a card
    and stop promising the green channel by card (seen: "请在读卡区放置身份证" regardless)."""
    reader = kiosk.sim("idcard")
    reader.inject(Fault.UNPLUGGED)
    try:
        kiosk.wait_until(lambda: not kiosk.ctx.devices.is_usable("idcard"), what="reader down")
        kiosk.ctx.flows.queue.start()
        kiosk.ctx.flows.queue.choose_category("social")
        assert kiosk.ctx.flows.queue.choose_item(ITEM)
        kiosk.app.go("queue_identify")
        kiosk.pump(3)
        assert kiosk.get("queue_identify_prompt").text == "身份证阅读器暂停服务，请直接取号"
        assert "刷卡" not in kiosk.get("queue_identify_age_rule").text
        kiosk.screenshot("elder_reader_offline_identify")
        kiosk.app.go("queue_appointment")
        kiosk.pump(3)
        assert kiosk.get("queue_appointment_prompt").text == "请扫描预约二维码"
    finally:
        reader.clear(Fault.UNPLUGGED)
        kiosk.wait_until(lambda: kiosk.ctx.devices.is_usable("idcard"), timeout=15,
                         what="reader back")


def test_at_night_home_says_what_is_closed_and_when_it_opens(kiosk: Kiosk,
                                                             day: ManualClock) -> None:
    """Given 23:57 on a weekday, then home says at once that the hall is closed, that 取号
    opens 明天 09:00 (not "周三 09:00"), and what still works; so does the 取号 tile."""
    evening = day.now().date()
    while evening.weekday() >= 4:  # 明天 is a working day only after Monday to Thursday
        evening = next_hall_day()  # (which weekday a test gets depends on the run's order)
    night = datetime.combine(evening, time(23, 57), tzinfo=HALL_TZ)
    day.set(night)
    home = kiosk.app.sm.get_screen("home")
    home.refresh_tiles()
    kiosk.pump(3)
    banner = kiosk.get("home_closed").text
    assert banner.startswith("现在不在办理时间")
    assert "取号：明天 09:00 开放" in banner
    working = [w for w in kiosk.app.sm.get_screen("home").ids.tiles.children
               if not w.disabled and w.target != "help"]
    assert ("仍可使用" in banner) == bool(working)  # locker, progress … once registered
    assert kiosk.get("tile_queue_note").text == "明天 09:00 开放"
    assert kiosk.get("tile_queue").disabled
    kiosk.screenshot("elder_night_home_zh")
    kiosk.app.lang = "en"
    kiosk.pump(3)
    assert "opens tomorrow at 09:00" in kiosk.get("home_closed").text
    kiosk.screenshot("elder_night_home_en")


def test_call_staff_raises_an_alert_staff_see(kiosk: Kiosk, day: ManualClock) -> None:
    """Given home, when 呼叫工作人员 is tapped, then an open alert for staff is recorded (and
    queued for the hall) and the citizen is told to wait there."""
    kiosk.tap("call_staff")
    kiosk.wait_until(lambda: "已通知工作人员" in kiosk.app.toast_label.text,
                     what="the call confirmed")
    with kiosk.ctx.engine.connect() as conn:
        calls = conn.execute(select(Alert.id).where(Alert.kind == KIND,
                                                    Alert.cleared_at.is_(None))).all()
    assert calls
    kiosk.screenshot("elder_call_staff")


def test_the_daily_limit_shows_the_citizens_ticket_with_a_marked_reprint(
        kiosk: Kiosk, day: ManualClock) -> None:
    """Given a citizen who already took 失业登记's one ticket of the day, when they try again,
    then the refusal names their number and offers it; 查看并补打号票 shows it with the people
    ahead now, and 补打号票 prints a copy marked 补打 (seen: stranded with no number)."""
    card = SAMPLE_CARDS["resident"]
    first = kiosk.ctx.queue.issue_ticket(ITEM, card=card)
    kiosk.sim("idcard").present(card)
    kiosk.wait_until(lambda: kiosk.ctx.sessions.current.card is not None, what="card on home")
    kiosk.tap("home_queue_social")
    kiosk.pump(3)
    kiosk.tap(f"queue_item_{ITEM}")
    kiosk.wait_until(lambda: not kiosk.ctx.flows.queue.state.estimating, what="the estimate")
    kiosk.tap("queue_confirm_take")
    kiosk.wait_until(lambda: kiosk.find("queue_notice_action") is not None, what="the refusal")
    assert first.number in kiosk.get("queue_notice_message").text
    kiosk.screenshot("elder_daily_limit_refusal")
    kiosk.tap("queue_notice_action")
    kiosk.wait_until(lambda: kiosk.app.current == "queue_ticket", what="the citizen's ticket")
    assert kiosk.get("queue_ticket_number").text == first.number
    assert kiosk.get("queue_ticket_heading").text == "您今天已取的号码"
    printer = kiosk.sim("printer")
    jobs = printer.jobs
    kiosk.tap("queue_ticket_copy")
    kiosk.wait_until(lambda: printer.jobs == jobs + 1, what="the copy printed")
    assert "补打".encode("gb18030") in printer.last_bin_path.read_bytes()
    kiosk.screenshot("elder_daily_limit_reprint")


def test_a_ticket_qr_scanned_on_home_shows_that_ticket(kiosk: Kiosk, day: ManualClock) -> None:
    """Given a ticket taken earlier, when its QR is scanned on home, then that ticket shows
    with 补打 (seen: "请先选择业务")."""
    ticket = kiosk.ctx.queue.issue_ticket(ITEM)
    kiosk.sim("scanner").scan(ticket.queue_url)
    kiosk.wait_until(lambda: kiosk.app.current == "queue_ticket", what="the scanned ticket")
    assert kiosk.get("queue_ticket_number").text == ticket.number
    assert kiosk.get("queue_ticket_copy").opacity == 1
    kiosk.screenshot("elder_ticket_qr_on_home")


@pytest.mark.parametrize("mode", ["zh", "elder", "landscape"])
def test_the_green_channel_banner_moves_no_button(kiosk: Kiosk, day: ManualClock,
                                                  mode: str) -> None:
    """Given the card step, when the elderly card is read and the green-channel banner appears,
    then no button moves (seen: 下一步 pushed down, a tap landing on 军人)."""
    from kivy.uix.behaviors import ButtonBehavior

    enter_mode(kiosk, mode)
    kiosk.ctx.flows.queue.start()
    kiosk.ctx.flows.queue.choose_category("social")
    kiosk.ctx.flows.queue.choose_item(ITEM)
    kiosk.app.go("queue_identify")
    kiosk.pump(4)

    def places() -> dict[str, tuple[int, int]]:
        screen = kiosk.app.sm.current_screen
        return {w.ident: tuple(round(v) for v in w.to_window(*w.pos))
                for w in screen.walk(restrict=True)
                if isinstance(w, ButtonBehavior) and getattr(w, "ident", "")}

    before = places()
    kiosk.sim("idcard").present(SAMPLE_CARDS["elderly"])
    kiosk.wait_until(lambda: kiosk.ctx.flows.queue.state.priority_reason == "elderly",
                     what="the green channel")
    kiosk.pump(4)
    assert kiosk.get("queue_identify_priority").text
    assert places() == before
    kiosk.screenshot(f"elder_green_channel_{mode}")
