"""Refusals that help and a home that routes what it is shown, without Kivy: the daily-limit
refusal carries the ticket the citizen already has (people ahead as of now) and offers a copy
marked 补打; a scanned ticket QR shows that ticket; scans are routed by one rule; the day a
closed service opens is said the way people say it; 呼叫工作人员 raises one alert for staff."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from drivers.printer.escpos_render import render
from drivers.printer.layout import Align, TextLine
from kiosk.flows.queue_state import NoticeKind, PrintState, QueueStep
from kiosk.flows.scan_route import ScanKind, route_scan
from kiosk.i18n import tr
from kiosk.outbox import Outbox
from kiosk.queue import PersonalLimitReached
from kiosk.receipts.ticket import ticket_receipt
from kiosk.schedule import opens_msg
from kiosk.staff_call import KIND, call_staff
from kiosk.storage.models import Alert, OutboxMessage
from kiosk.tokens import case_token, ticket_token
from tests.core import test_flow_queue as flow_queue
from tests.core.conftest import make_card
from tests.core.test_flow_queue import ITEM, Hall

# the queue flow's fixtures: a flow wired like the app's, on a fresh hall database
make_hall = flow_queue.make_hall
hall = flow_queue.hall

HAN = re.compile(r"[\u3400-\u9fff]")


def refuse_second_ticket(hall: Hall) -> PersonalLimitReached:
    card = make_card()
    first = hall.flow.queue.issue_ticket(ITEM, card=card)
    hall.flow.queue.issue_ticket(ITEM)  # someone else, behind the citizen
    hall.sessions.current.card = card
    hall.to_confirm()
    assert hall.flow.confirm()
    notice = hall.state.notice
    assert notice is not None and notice.kind is NoticeKind.REFUSED
    refusal = notice.refusal
    assert isinstance(refusal, PersonalLimitReached) and refusal.ticket is not None
    assert refusal.ticket.number == first.number
    return refusal


def test_the_daily_limit_refusal_carries_the_ticket_with_people_ahead_now(hall: Hall) -> None:
    """Given a citizen with 失业登记's one ticket of the day, when they try again, then the
    refusal carries that ticket, with the people ahead counted now (0: nobody before A001), and
    its English says nothing in Chinese (seen: "失业登记" in the English line)."""
    refusal = refuse_second_ticket(hall)
    assert refusal.ticket is not None and refusal.ticket.people_ahead == 0
    assert not HAN.search(refusal.message("en")), refusal.message("en")


def test_a_copy_of_the_earlier_ticket_is_marked_and_counts_people_now(hall: Hall) -> None:
    """Given the refusal's ticket, when it is shown and 补打 is tapped, then the paper is
    marked 补打 and says the people ahead now, not when it was first printed."""
    hall.flow.queue.issue_ticket(ITEM)  # A001 waits ahead of the citizen's A002 …
    card = make_card()
    first = hall.flow.queue.issue_ticket(ITEM, card=card)
    assert (first.number, first.people_ahead) == ("A002", 1)
    hall.flow.counter.call_next("A01")  # … and is called: nobody is ahead of A002 now
    hall.sessions.current.card = card
    hall.to_confirm()
    assert hall.flow.confirm()
    refusal = hall.state.notice.refusal  # type: ignore[union-attr]
    assert isinstance(refusal, PersonalLimitReached)
    ticket = refusal.ticket
    assert ticket is not None and ticket.number == "A002" and ticket.people_ahead == 0
    hall.flow.show_existing(ticket)
    assert hall.state.step is QueueStep.TICKET and hall.state.reissued
    assert hall.state.print_state is PrintState.IDLE  # nothing prints before the tap
    jobs = hall.printer.jobs
    assert hall.flow.print_copy()
    hall.wait(lambda: hall.state.print_state is PrintState.PRINTED, "the copy printed")
    assert hall.printer.jobs == jobs + 1
    expected = render(ticket_receipt(ticket, hall.flow.config.hall, "zh", reprint=True),
                      hall.printer.profile).data
    assert hall.printer.last_bin_path.read_bytes() == expected
    assert "补打".encode("gb18030") in expected
    assert "前面没有人等候".encode("gb18030") in expected


def test_receipt_titles_are_centred_and_large_not_fake_bold(hall: Hall) -> None:
    ticket = hall.flow.queue.issue_ticket(ITEM)
    lines = [e for e in ticket_receipt(ticket, hall.flow.config.hall, "zh").elements
             if isinstance(e, TextLine)]
    title = lines[0]
    assert (title.align, title.size, title.bold) == (Align.CENTER, 2, False)
    assert not any(e.text == tr("补打", "zh") for e in lines)


def test_a_scanned_ticket_qr_shows_that_ticket_as_of_now(hall: Hall) -> None:
    ticket = hall.flow.queue.issue_ticket(ITEM)
    hall.flow.start()
    hall.flow.open_ticket(ticket.uuid)
    assert hall.state.step is QueueStep.TICKET and hall.state.reissued
    assert hall.state.ticket is not None and hall.state.ticket.number == ticket.number


def test_a_ticket_of_another_day_is_explained(hall: Hall, clock) -> None:
    ticket = hall.flow.queue.issue_ticket(ITEM)
    clock.set(clock.now() + timedelta(days=1))
    hall.flow.start()
    hall.flow.open_ticket(ticket.uuid)
    notice = hall.state.notice
    assert hall.state.step is QueueStep.CATEGORY
    assert notice is not None and notice.refusal is not None
    assert "不是今天的号" in notice.refusal.message("zh")


def test_scans_are_routed_by_one_rule(config) -> None:
    secret = b"0123456789abcdef0123"
    hall_cfg = config.hall
    ticket_qr = f"{hall_cfg.queue_url}/{ticket_token('t-1', secret)}"
    case_qr = f"{hall_cfg.progress_url}/{case_token('c-1', secret)}"
    forged = f"{hall_cfg.queue_url}/{ticket_token('t-1', b'another-secret-of-16+')}"
    assert route_scan(ticket_qr, hall_cfg, secret).ticket_id == "t-1"
    receipt = route_scan(case_qr, hall_cfg, secret)
    assert (receipt.kind, receipt.token) == (ScanKind.CASE_RECEIPT, case_qr.rsplit("/", 1)[1])
    assert route_scan("YY20260601001", hall_cfg, secret).kind is ScanKind.APPOINTMENT
    assert route_scan(forged, hall_cfg, secret).kind is ScanKind.APPOINTMENT


def test_the_day_a_closed_service_opens_is_said_as_people_say_it() -> None:
    """Seen: "周三 09:00 开放" at 23:57 on a Tuesday, where "明天 09:00" is what people say."""
    tz = ZoneInfo("Asia/Shanghai")
    tuesday_night = datetime(2026, 6, 2, 23, 57, tzinfo=tz)
    wednesday = datetime(2026, 6, 3, 9, 0, tzinfo=tz)
    say = opens_msg(wednesday, tuesday_night)
    assert tr(say.msgid, "zh", **say.params) == "明天 09:00"
    assert tr(say.msgid, "en", **say.params) == "tomorrow at 09:00"
    friday = opens_msg(datetime(2026, 6, 5, 9, 0, tzinfo=tz), tuesday_night)
    assert tr(friday.msgid, "zh", **friday.params) == "周五 09:00"
    later = opens_msg(datetime(2026, 6, 10, 9, 0, tzinfo=tz), tuesday_night)
    assert "6月" in tr(later.msgid, "zh", **later.params)


def test_calling_staff_raises_one_alert_and_tells_the_hall(engine, clock) -> None:
    """Given 呼叫工作人员 tapped twice within a minute, then one open alert staff see and one
    alert.raised in the outbox, written together; a call minutes later is a new one."""
    outbox = Outbox("QZ01")
    first = call_staff(engine, outbox, "K01", clock.now())
    again = call_staff(engine, outbox, "K01", clock.now() + timedelta(seconds=30))
    assert first.new and not again.new and again.alert_id == first.alert_id
    later = call_staff(engine, outbox, "K01", clock.now() + timedelta(minutes=10))
    assert later.new and later.alert_id != first.alert_id
    with engine.connect() as conn:
        open_calls = conn.execute(select(Alert.id).where(
            Alert.kind == KIND, Alert.cleared_at.is_(None))).scalars().all()
        sent = conn.execute(select(OutboxMessage.kind, OutboxMessage.payload)).all()
    assert open_calls == [later.alert_id]
    raised = [p for k, p in sent if k == "alert.raised"]
    assert [p["alert_id"] for p in raised] == [first.alert_id, later.alert_id]
    assert all(p["kind"] == KIND for p in raised)
