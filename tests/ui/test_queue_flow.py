"""The queue-ticket (取号) flow in the real app under Xvfb, driven by touches: category, letter
filter, item, ID card or skip, confirm, the ticket on screen and on (simulated) paper, the green
channel, printer faults with reprint and alert, closed services and appointment check-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import select

from drivers.base import Fault
from drivers.idcard.samples import SAMPLE_CARDS
from drivers.printer.escpos_render import render
from kiosk.clock import ManualClock
from kiosk.flows.queue_state import QueueState
from kiosk.receipts.ticket import ticket_receipt
from kiosk.storage.models import Ticket
from tests.ui.conftest import LANDSCAPE, PORTRAIT, Kiosk
from tests.ui.queue_helpers import hall_clock, next_hall_day, problems_on_screen

pytestmark = pytest.mark.ui

SOCIAL = "queue_category_social"
ITEM = "unemployment-registration"  # 失业登记, instant, weekdays, initial S
QUEUE_SCREENS = ("queue", "queue_items", "queue_identify", "queue_confirm", "queue_ticket",
                 "queue_appointment")


@pytest.fixture
def hall(kiosk: Kiosk) -> Iterator[ManualClock]:
    """A fresh weekday at 10:00 in the hall for the queue; restored and tidied afterwards."""
    from screens.queue_common import close_notices

    clock = kiosk.ctx.clock
    assert isinstance(clock, ManualClock)  # the one clock every service, flow and view reads
    saved = clock.now()
    clock.set(hall_clock(next_hall_day(), time(10, 0)).now())
    try:
        yield clock
    finally:
        close_notices()
        kiosk.app.go_home()
        kiosk.pump()
        clock.set(saved)


def shot(kiosk: Kiosk, name: str) -> Path:
    """Screenshot, after checking that nothing on the screen overflows or is too small."""
    from kivy.core.window import Window

    kiosk.pump(3)
    problems = problems_on_screen(kiosk.app.sm.current_screen, Window.width)
    assert problems == [], f"{name}: {problems}"
    path = kiosk.screenshot(name)
    assert path.stat().st_size > 10_000
    return path


def tickets_on(kiosk: Kiosk, clock: ManualClock) -> list[Ticket]:
    day = clock.now().date()
    with kiosk.ctx.engine.connect() as conn:
        rows = conn.execute(select(Ticket).where(Ticket.service_date == day)
                            .order_by(Ticket.seq)).all()
    return [Ticket(**row._mapping) for row in rows]


def ticket_screen(kiosk: Kiosk) -> object:
    return kiosk.app.sm.get_screen("queue_ticket")


def wait_printed(kiosk: Kiosk, state: str = "printed") -> None:
    screen = ticket_screen(kiosk)
    try:
        kiosk.wait_until(lambda: screen.print_state == state, what=f"print state {state}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; it is {screen.print_state!r} on {kiosk.app.current!r} "
                             f"(flow {kiosk.ctx.flows.queue.state.step}, "
                             f"{kiosk.ctx.flows.queue.state.print_state}), the printer is "
                             f"{kiosk.ctx.devices.health('printer')}, faults "
                             f"{set(kiosk.sim('printer').faults())}") from None


def take_number(kiosk: Kiosk) -> None:
    """Tap 确认取号 and wait for the commit, which runs off the UI thread, to come back. The
    estimate is read off the UI thread too: the tap waits for it, as a citizen reading it
    would, so the page is not re-laid out under the finger."""
    confirm = kiosk.app.sm.get_screen("queue_confirm")
    kiosk.wait_until(lambda: not kiosk.ctx.flows.queue.state.estimating, what="the estimate")
    kiosk.pump()
    kiosk.tap("queue_confirm_take")
    kiosk.wait_until(lambda: not confirm.issuing, what="the ticket commit to return")
    kiosk.pump()


def to_confirm(kiosk: Kiosk, item: str = ITEM) -> None:
    """The first steps by touch (the whole-flow test checks each): category, item, skip card."""
    kiosk.app.go("queue")  # the home tile is touched in the whole-flow test; home re-lays
    kiosk.pump()  # itself out while device health changes, which these tests provoke
    kiosk.tap(SOCIAL)
    kiosk.tap(f"queue_item_{item}")
    kiosk.tap("queue_identify_next")
    assert kiosk.app.current == "queue_confirm"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_whole_flow_by_touch_prints_ticket_a001(kiosk: Kiosk, hall: ManualClock,
                                                lang: str) -> None:
    """Given a fresh hall day at 10:00, when a citizen taps 取号 → 社会民生 → letter S (Chinese
    only) → 失业登记 → 跳过 → 确认取号, then ticket A001 is committed before the ticket screen
    shows, shown huge with its QR, and the simulated printer wrote exactly the ticket's ESC/POS
    bytes and a PNG."""
    app, printer = kiosk.app, kiosk.sim("printer")
    if lang == "en":
        kiosk.tap("lang_toggle")
    committed: list[list[str]] = []

    def on_screen(_sm: object, name: str) -> None:
        if name == "queue_ticket":
            committed.append([t.number for t in tickets_on(kiosk, hall)])

    app.sm.bind(current=on_screen)
    jobs = printer.jobs
    try:
        shot(kiosk, f"queue_{lang}_0_home")
        kiosk.tap("tile_queue")
        assert app.current == "queue"
        tile = kiosk.get(SOCIAL)
        assert tile.label == ("社会民生" if lang == "zh" else "Social affairs")
        kiosk.wait_until(lambda: tile.counted, what="waiting counts")
        assert tile.waiting == 0 and tile.height >= 200
        shot(kiosk, f"queue_{lang}_1_categories")

        kiosk.tap(SOCIAL)
        assert app.current == "queue_items"
        everything = len(kiosk.ctx.catalogue.items_in("social"))
        assert kiosk.find(f"queue_item_{ITEM}") is not None
        shot(kiosk, f"queue_{lang}_2_items")

        if lang == "zh":
            kiosk.tap("queue_letter_S")
            shown = [w.item_id for w in app.sm.current_screen.ids.item_list.children]
            assert ITEM in shown and "employment-registration" not in shown
            assert 0 < len(shown) < everything
            shot(kiosk, f"queue_{lang}_3_items_letter_S")
            kiosk.tap("queue_letter_S")  # the same letter again clears the filter
            assert len(app.sm.current_screen.ids.item_list.children) == everything
            kiosk.tap("queue_letter_S")
        else:  # issue 12: pinyin initials are for Chinese readers only
            assert app.sm.current_screen.ids.letters.opacity == 0

        kiosk.tap(f"queue_item_{ITEM}")
        assert app.current == "queue_identify"
        assert kiosk.get("queue_identify_next").text == ("跳过" if lang == "zh" else "Skip")
        shot(kiosk, f"queue_{lang}_4_identify")

        kiosk.tap("queue_identify_next")
        assert app.current == "queue_confirm"
        ahead = kiosk.get("queue_confirm_ahead")
        kiosk.wait_until(lambda: ahead.text not in ("", "…"), what="the estimate (off the UI "
                         "thread)")
        assert ahead.text == ("0 人" if lang == "zh" else "0")
        assert "A01-A04" in kiosk.get("queue_confirm_windows").text
        assert kiosk.get("queue_confirm_priority").text == ""
        shot(kiosk, f"queue_{lang}_5_confirm")
        assert tickets_on(kiosk, hall) == []

        take_number(kiosk)
        assert app.current == "queue_ticket"
        assert committed == [["A001"]]  # in the database before the screen appeared
        number = kiosk.get("queue_ticket_number")
        assert number.text == "A001" and number.font_size >= 200
        assert kiosk.get("queue_ticket_qr").texture is not None
        wait_printed(kiosk)
        shot(kiosk, f"queue_{lang}_6_ticket")

        assert printer.jobs == jobs + 1
        ticket = kiosk.ctx.flows.queue.state.ticket
        expected = render(ticket_receipt(ticket, kiosk.ctx.config.hall, lang),
                          printer.profile).data
        assert printer.last_bin_path.read_bytes() == expected
        assert b"A001" in expected
        assert printer.last_png_path.is_file() and printer.last_png_path.stat().st_size > 0
        row = tickets_on(kiosk, hall)[0]
        assert (row.number, row.item_id, row.priority) == ("A001", ITEM, False)

        kiosk.tap("queue_ticket_done")
        assert app.current == "home"
        assert kiosk.ctx.flows.queue.state == QueueState()  # the journey is forgotten
        assert kiosk.ctx.sessions.current.card is None
        kiosk.tap("tile_queue")
        kiosk.wait_until(lambda: kiosk.get(SOCIAL).waiting == 1, what="A001 counted as waiting")
    finally:
        app.sm.unbind(current=on_screen)


def test_ticket_returns_home_by_itself_and_ends_the_session(kiosk: Kiosk,
                                                            hall: ManualClock) -> None:
    """Given a printed ticket on screen, when nobody touches it for ~20 s, then the kiosk goes
    home and the session (with the ticket) is gone; in elder mode it waits twice as long."""
    from kiosk.events import SessionEnded

    ended: list[str] = []
    unsubscribe = kiosk.ctx.bus.subscribe(SessionEnded, lambda e: ended.append(e.reason))
    try:
        kiosk.app.set_elder(True)
        to_confirm(kiosk)
        take_number(kiosk)
        wait_printed(kiosk)
        shot(kiosk, "queue_elder_ticket")
        kiosk.advance(39)
        assert kiosk.app.current == "queue_ticket"
        kiosk.advance(1.5)
        kiosk.pump()
        assert kiosk.app.current == "home"
        assert "completed" in ended
        assert kiosk.ctx.flows.queue.state == QueueState()
    finally:
        unsubscribe()


def test_elder_mode_items_screen_is_large_and_fits(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given elder mode, when the items screen shows, then text is 1.35x and nothing is cut."""
    kiosk.tap("elder_toggle")
    kiosk.tap("tile_queue")
    kiosk.tap(SOCIAL)
    label = kiosk.get(f"queue_item_{ITEM}").children[-1]
    assert label.font_size == pytest.approx(48 * 0.9 * 1.35)
    shot(kiosk, "queue_elder_items")


def test_elderly_card_gets_the_green_channel(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given the identify step, when the elderly sample card (born 1940) is laid on the
    simulated reader, then 绿色通道 shows by itself, and the ticket is a priority ticket with
    the masked name only."""
    kiosk.tap("tile_queue")
    kiosk.tap(SOCIAL)
    kiosk.tap(f"queue_item_{ITEM}")
    kiosk.sim("idcard").present(SAMPLE_CARDS["elderly"])
    status = kiosk.get("queue_card_status")
    kiosk.wait_until(lambda: "李*英" in status.text, what="card read on identify")
    assert kiosk.get("queue_identify_priority").text == "绿色通道 · 老年人"
    assert kiosk.ctx.sessions.current.card is SAMPLE_CARDS["elderly"]
    assert kiosk.app.toast_label.text == ""  # the screen used the card; no greeting toast
    shot(kiosk, "queue_zh_green_channel_identify")
    kiosk.tap("queue_identify_next")
    assert kiosk.get("queue_confirm_name").text == "李*英"
    assert kiosk.get("queue_confirm_priority").text == "绿色通道 · 老年人"
    shot(kiosk, "queue_zh_green_channel_confirm")
    take_number(kiosk)
    assert kiosk.get("queue_ticket_priority").text == "绿色通道 · 老年人"
    assert "李秀英" not in kiosk.get("queue_ticket_name").text
    wait_printed(kiosk)
    shot(kiosk, "queue_zh_green_channel_ticket")
    row = tickets_on(kiosk, hall)[0]
    assert (row.priority, row.priority_reason, row.masked_name) == (True, "elderly", "李*英")


def test_declared_group_toggle_gives_priority(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given no card, when 孕妇 is tapped (and tapped off and on again), then the session holds
    the group, the confirm screen shows the green channel and the ticket is priority."""
    kiosk.tap("tile_queue")
    kiosk.tap(SOCIAL)
    kiosk.tap(f"queue_item_{ITEM}")
    kiosk.tap("queue_group_pregnant")
    assert kiosk.ctx.sessions.current.declared_group == "pregnant"
    kiosk.tap("queue_group_pregnant")
    assert kiosk.ctx.sessions.current.declared_group is None
    kiosk.tap("queue_group_pregnant")
    assert kiosk.get("queue_identify_priority").text == "绿色通道 · 孕妇"
    assert kiosk.get("queue_group_pregnant").text == "孕妇（已选）"
    assert kiosk.get("queue_identify_next").text == "下一步"
    shot(kiosk, "queue_zh_group_declared")
    kiosk.tap("queue_identify_next")
    take_number(kiosk)
    row = tickets_on(kiosk, hall)[0]
    assert (row.priority, row.priority_reason) == (True, "pregnant")


def test_expired_card_is_explained_and_skip_still_works(kiosk: Kiosk,
                                                        hall: ManualClock) -> None:
    """Given the identify step, when the expired sample card is laid on the reader, then the
    screen says it expired (with the date) and that skipping still gives a number; the card is
    not kept and the ticket is a regular one without a name."""
    kiosk.tap("tile_queue")
    kiosk.tap(SOCIAL)
    kiosk.tap(f"queue_item_{ITEM}")
    kiosk.sim("idcard").present(SAMPLE_CARDS["expired"])
    status = kiosk.get("queue_card_status")
    kiosk.wait_until(lambda: "过期" in status.text, what="expired message")
    assert "2015-06-20" in status.text and "跳过" in status.text
    assert kiosk.ctx.sessions.current.card is None
    shot(kiosk, "queue_zh_expired_card")
    kiosk.app.toggle_language()
    kiosk.pump()
    assert "expired" in status.text
    shot(kiosk, "queue_en_expired_card")
    kiosk.tap("queue_identify_next")
    take_number(kiosk)
    row = tickets_on(kiosk, hall)[0]
    assert (row.priority, row.masked_name, row.person_hash) == (False, None, None)


def test_paper_out_keeps_the_ticket_on_screen_then_reprints(kiosk: Kiosk,
                                                           hall: ManualClock) -> None:
    """Given the printer out of paper, when a ticket is taken, then it is in the database and on
    screen with its QR, the citizen is told to photograph it, reprint is offered but off, and
    a paper-out alert is committed; when paper is back, reprint turns on, prints the ticket
    and the alert is cleared."""
    printer = kiosk.sim("printer")
    printer.inject(Fault.PAPER_OUT)
    jobs = printer.jobs
    to_confirm(kiosk)
    take_number(kiosk)
    wait_printed(kiosk, "failed")
    assert [t.number for t in tickets_on(kiosk, hall)] == ["A001"]
    assert kiosk.get("queue_ticket_number").text == "A001"
    assert kiosk.get("queue_ticket_qr").texture is not None
    assert "拍照" in kiosk.get("queue_ticket_print_status").text
    reprint = kiosk.get("queue_ticket_reprint")
    assert reprint.disabled and reprint.opacity == 1
    alerts = [a for a in kiosk.ctx.alerts.open() if a.kind == "printer.paper_out"]
    assert len(alerts) == 1 and alerts[0].at is not None
    assert printer.jobs == jobs
    shot(kiosk, "queue_zh_paper_out")
    kiosk.app.toggle_language()
    shot(kiosk, "queue_en_paper_out")
    kiosk.app.toggle_language()

    printer.clear(Fault.PAPER_OUT)
    kiosk.wait_until(lambda: not reprint.disabled, what="reprint enabled once paper is back")
    shot(kiosk, "queue_zh_paper_back")
    kiosk.tap(reprint)
    wait_printed(kiosk)
    assert printer.jobs == jobs + 1
    assert b"A001" in printer.last_bin_path.read_bytes()
    assert [a for a in kiosk.ctx.alerts.open()
            if a.kind.startswith("printer.")] == []


def test_a_second_failure_does_not_duplicate_the_alert(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given the printer unplugged, when two tickets fail to print, then one open alert."""
    printer = kiosk.sim("printer")
    printer.inject(Fault.UNPLUGGED)
    try:
        for _ in range(2):
            to_confirm(kiosk)
            take_number(kiosk)
            wait_printed(kiosk, "failed")
        kinds = [a.kind for a in kiosk.ctx.alerts.open()]
        assert kinds.count("printer.offline") == 1
        assert [t.number for t in tickets_on(kiosk, hall)] == ["A001", "A002"]
    finally:
        printer.clear()
        kiosk.wait_until(lambda: kiosk.ctx.devices.is_usable("printer"), timeout=15,
                         what="printer back")
        to_confirm(kiosk)  # a good print clears the alert for the next tests
        take_number(kiosk)
        wait_printed(kiosk)


def test_closed_service_is_greyed_and_explained(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given lunchtime (12:30, the weekday hours reopen at 13:30), when the items show, then
    closed items are greyed with "13:30 开放" and tapping one explains when it opens; no ticket
    is taken."""
    hall.set(hall.now().replace(hour=12, minute=30))
    kiosk.tap("tile_queue")
    kiosk.tap(SOCIAL)
    item = kiosk.get(f"queue_item_{ITEM}")
    assert item.closed and item.note == "13:30 开放"
    kiosk.tap(item)
    assert kiosk.app.current == "queue_items"
    message = kiosk.get("queue_notice_message")
    assert "13:30" in message.text and "失业登记" in message.text
    # one language per screen (issue 12: Chinese dialogs no longer carry an English line)
    assert kiosk.find("queue_notice_other") is None
    shot(kiosk, "queue_zh_closed_item")
    kiosk.tap("queue_notice_ok")
    assert kiosk.find("queue_notice_message") is None
    assert tickets_on(kiosk, hall) == []


def test_service_closing_before_confirm_is_refused_in_full(kiosk: Kiosk,
                                                          hall: ManualClock) -> None:
    """Given an item chosen at 11:59, when 确认取号 is tapped after 12:00, then the refusal says
    it is closed and when it opens, in English too, and no number was used."""
    hall.set(hall.now().replace(hour=11, minute=59))
    kiosk.app.toggle_language()
    to_confirm(kiosk)
    hall.set(hall.now().replace(hour=12, minute=1))
    take_number(kiosk)
    assert kiosk.app.current == "queue_confirm"
    assert "opens today at 13:30" in kiosk.get("queue_notice_message").text
    shot(kiosk, "queue_en_refused_closed")
    assert tickets_on(kiosk, hall) == []
    kiosk.advance(kiosk.ctx.config.timeouts.idle_seconds + 1)  # nobody touches it
    assert kiosk.app.current == "home"
    assert kiosk.find("queue_notice_message") is None  # a notice never outlives its screen


def _appointments(kiosk: Kiosk, hall: ManualClock, tmp_path: Path) -> None:
    day = hall.now().date().isoformat()
    csv = tmp_path / "appointments.csv"
    csv.write_text(
        "code,item_id,date,start,end,id_number,name,window\n"
        f"OK{day},unemployment-registration,{day},10:00,10:30,,王小明,\n"
        f"EARLY{day},unemployment-registration,{day},15:00,15:30,,,\n", encoding="utf-8")
    result = kiosk.ctx.queue.import_appointments(csv)
    assert result.added == 2


def test_appointment_check_in_by_scanned_code(kiosk: Kiosk, hall: ManualClock,
                                              tmp_path: Path) -> None:
    """Given today's 10:00-10:30 appointment and the clock at 10:05, when its QR is scanned on
    the check-in screen, then a priority ticket is committed and shown with the code."""
    _appointments(kiosk, hall, tmp_path)
    hall.set(hall.now().replace(minute=5))
    kiosk.tap("tile_queue")
    kiosk.tap("queue_appointment_tile")
    assert kiosk.app.current == "queue_appointment"
    shot(kiosk, "queue_zh_appointment")
    kiosk.app.toggle_language()
    shot(kiosk, "queue_en_appointment")
    kiosk.app.toggle_language()
    code = f"OK{hall.now().date().isoformat()}"
    kiosk.sim("scanner").scan(code)
    kiosk.wait_until(lambda: kiosk.app.current == "queue_ticket", what="checked-in ticket")
    assert kiosk.get("queue_ticket_number").text == "A001"
    assert kiosk.get("queue_ticket_priority").text == "绿色通道 · 预约"
    assert code in kiosk.get("queue_ticket_appointment").text
    assert kiosk.get("queue_ticket_name").text == "姓名 王*明"
    wait_printed(kiosk)
    shot(kiosk, "queue_zh_appointment_ticket")
    row = tickets_on(kiosk, hall)[0]
    assert (row.priority_reason, row.appointment_id is not None) == ("appointment", True)


def test_appointment_too_early_and_unknown_are_explained(kiosk: Kiosk, hall: ManualClock,
                                                         tmp_path: Path) -> None:
    """Given a 15:00 appointment and the clock at 10:00, when its QR is scanned, then the notice
    says check-in opens at 14:30; an unknown code says it was not found; no ticket is taken."""
    _appointments(kiosk, hall, tmp_path)
    kiosk.app.go("queue_appointment")
    kiosk.pump()
    kiosk.sim("scanner").scan(f"EARLY{hall.now().date().isoformat()}")
    kiosk.wait_until(lambda: kiosk.find("queue_notice_message") is not None, what="notice")
    message = kiosk.get("queue_notice_message").text
    assert "15:00" in message and "14:30" in message
    shot(kiosk, "queue_zh_appointment_too_early")
    kiosk.tap("queue_notice_ok")
    kiosk.sim("scanner").scan("NO-SUCH-CODE")
    kiosk.wait_until(lambda: kiosk.find("queue_notice_message") is not None, what="notice")
    assert "没有找到您的预约" in kiosk.get("queue_notice_message").text
    kiosk.tap("queue_notice_ok")
    assert kiosk.app.current == "queue_appointment"
    assert tickets_on(kiosk, hall) == []


@pytest.mark.parametrize("name", QUEUE_SCREENS)
def test_back_and_home_from_every_queue_screen(kiosk: Kiosk, hall: ManualClock,
                                               name: str) -> None:
    """Given any queue screen, when 返回 is tapped, then its parent in the navigation map opens;
    when 首页 is tapped, then home."""
    from screens.navigation import PARENT, path_to_home

    assert path_to_home(name)[-1] == "home"
    kiosk.app.go(name)
    kiosk.pump()
    kiosk.tap("nav_back")
    assert kiosk.app.current == PARENT[name]
    kiosk.app.go(name)
    kiosk.pump()
    kiosk.tap("nav_home")
    assert kiosk.app.current == "home"


def test_landscape_items_and_ticket_do_not_break(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given a landscape 1920x1080 window, when the category, items and ticket screens show,
    then items use two columns and nothing overflows."""
    try:
        kiosk.resize(LANDSCAPE)
        kiosk.tap("tile_queue")
        shot(kiosk, "queue_landscape_categories")
        kiosk.tap(SOCIAL)
        assert kiosk.app.sm.current_screen.ids.item_list.cols == 2
        shot(kiosk, "queue_landscape_items")
        kiosk.tap(f"queue_item_{ITEM}")
        kiosk.tap("queue_identify_next")
        take_number(kiosk)
        wait_printed(kiosk)
        shot(kiosk, "queue_landscape_ticket")
    finally:
        kiosk.resize(PORTRAIT)


def test_a_second_tap_while_issuing_takes_no_second_number(kiosk: Kiosk,
                                                           hall: ManualClock) -> None:
    """Given the 确认取号 button was tapped, when it is tapped again before the commit returns,
    then the button is disabled, says 正在取号…, and exactly one ticket exists."""
    import threading

    to_confirm(kiosk)
    queue = kiosk.ctx.queue
    release = threading.Event()
    real_issue = queue.issue_ticket

    def slow_issue(*args: object, **kwargs: object) -> object:
        release.wait(5)  # a slow hall database
        return real_issue(*args, **kwargs)

    confirm = kiosk.app.sm.get_screen("queue_confirm")
    queue.issue_ticket = slow_issue  # type: ignore[method-assign]
    try:
        kiosk.tap("queue_confirm_take")
        assert confirm.issuing
        button = kiosk.get("queue_confirm_take")
        assert button.disabled and button.text == "正在取号…"
        kiosk.tap("queue_confirm_take")
        release.set()
        kiosk.wait_until(lambda: kiosk.app.current == "queue_ticket", what="the ticket screen")
    finally:
        del queue.issue_ticket
    assert [t.number for t in tickets_on(kiosk, hall)] == ["A001"]


def test_home_tapped_while_issuing_still_shows_the_ticket(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given 确认取号 tapped on a slow database, when 首页 is tapped before the commit returns,
    then the committed ticket is still shown (it is taken and printing), and 完成 ends it."""
    import threading

    to_confirm(kiosk)
    queue = kiosk.ctx.queue
    release = threading.Event()
    real_issue = queue.issue_ticket

    def slow_issue(*args: object, **kwargs: object) -> object:
        release.wait(5)  # a slow hall database
        return real_issue(*args, **kwargs)

    kiosk.wait_until(lambda: not kiosk.ctx.flows.queue.state.estimating, what="the estimate")
    queue.issue_ticket = slow_issue  # type: ignore[method-assign]
    try:
        kiosk.tap("queue_confirm_take")
        kiosk.tap("nav_home")
        assert kiosk.app.current == "home"
        release.set()
        kiosk.wait_until(lambda: kiosk.app.current == "queue_ticket", what="the ticket screen")
    finally:
        release.set()
        del queue.issue_ticket
    assert kiosk.get("queue_ticket_number").text == "A001"
    wait_printed(kiosk)
    kiosk.tap("queue_ticket_done")
    assert kiosk.app.current == "home"
    assert kiosk.ctx.flows.queue.state == QueueState()
