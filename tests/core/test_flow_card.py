"""The ID card done right, without Kivy: a card already on the reader counts when a step needs
it, a card read on home saves the card step, and the journey that read the card ends with a
reminder to take it back — for every journey, through the session keeper."""

from __future__ import annotations

from kiosk.events import CardInserted, CardRemoved
from kiosk.flows.queue_state import QueueStep
from kiosk.session import SessionKeeper, TakeCardReminder
from tests.core import test_flow_queue as flow_queue
from tests.core.conftest import make_card
from tests.core.test_flow_queue import ITEM, Hall

# the queue flow's fixtures: a flow wired like the app's, on a fresh hall database
make_hall = flow_queue.make_hall
hall = flow_queue.hall


def reminders(hall: Hall) -> list[TakeCardReminder]:
    seen: list[TakeCardReminder] = []
    hall.bus.subscribe(TakeCardReminder, seen.append)
    return seen


def test_a_card_left_on_the_reader_counts_at_the_next_card_step(hall: Hall) -> None:
    """Given a ticket taken with the card (session completed) and the card still lying on the
    reader, when the same citizen starts another ticket, then the card step finds the card
    without a new tap (seen: "尚未读取身份证" although the card was right there)."""
    card = make_card()
    hall.bus.publish(CardInserted(card))  # laid on the reader
    hall.flow.start()
    hall.flow.choose_category("social")
    hall.flow.enter_identify()
    assert hall.sessions.current.card is card and hall.state.masked_name == "张*"
    hall.sessions.end("completed")
    assert hall.sessions.current.card is None
    hall.flow.start()
    hall.flow.choose_category("social")
    hall.flow.enter_identify()
    assert hall.sessions.current.card is card
    assert hall.state.masked_name == "张*"


def test_after_an_idle_timeout_the_card_left_behind_is_not_the_next_citizens(hall: Hall) -> None:
    """Given a card forgotten on the reader when the session timed out, then the next citizen's
    card step does not take it for theirs."""
    hall.bus.publish(CardInserted(make_card()))
    hall.sessions.current.card = hall.sessions.card_on_reader
    hall.sessions.end("timeout")
    hall.flow.start()
    hall.flow.choose_category("social")
    hall.flow.enter_identify()
    assert hall.sessions.current.card is None and hall.state.masked_name == ""


def test_a_card_read_on_home_skips_the_card_step(hall: Hall) -> None:
    """Given a card read on home (the app put it in the session), when an item is chosen, then
    the next step is confirm: no "next" after the card was read."""
    card = make_card()
    hall.bus.publish(CardInserted(card))
    hall.sessions.current.card = card
    hall.flow.start()
    hall.flow.choose_category("social")
    assert hall.flow.choose_item(ITEM)
    assert hall.state.step is QueueStep.CONFIRM
    assert hall.state.masked_name == "张*"


def test_without_a_card_the_card_step_is_offered(hall: Hall) -> None:
    hall.flow.start()
    hall.flow.choose_category("social")
    assert hall.flow.choose_item(ITEM)
    assert hall.state.step is QueueStep.IDENTIFY


def test_the_journey_that_read_the_card_ends_with_a_reminder(hall: Hall) -> None:
    """Given a ticket taken with the card on the reader, when the session ends (完成 or the
    countdown), then one TakeCardReminder is published; none once the card is lifted."""
    seen = reminders(hall)
    hall.bus.publish(CardInserted(make_card()))
    hall.sessions.current.card = hall.sessions.card_on_reader
    hall.to_confirm()
    hall.flow.confirm()
    assert hall.state.step is QueueStep.TICKET
    hall.flow.finish()
    assert seen == [TakeCardReminder("completed")]
    hall.bus.publish(CardRemoved())
    hall.sessions.current.card = make_card()  # read, then lifted before the end
    hall.sessions.end("completed")
    assert len(seen) == 1


def test_no_reminder_when_no_card_was_read_or_it_was_taken(hall: Hall) -> None:
    seen = reminders(hall)
    hall.sessions.end("completed")  # nothing read
    hall.bus.publish(CardInserted(make_card()))
    hall.sessions.current.card = hall.sessions.card_on_reader
    hall.sessions.end("card_removed")  # the card itself ended it
    assert seen == []


def test_an_appointment_step_checks_in_with_the_card_already_read(hall: Hall) -> None:
    """Given a card read on home, when 预约签到 opens, then the check-in is tried at once (no
    second tap of the card): here no appointment exists, so the refusal says so."""
    card = make_card()
    hall.bus.publish(CardInserted(card))
    hall.sessions.current.card = card
    hall.flow.start()
    hall.flow.enter_appointment()
    notice = hall.state.notice
    assert notice is not None and notice.refusal is not None
    assert "没有找到您的预约" in notice.refusal.message("zh")


def test_the_keeper_forgets_the_card_when_it_is_lifted() -> None:
    from kiosk.events import EventBus

    bus = EventBus()
    keeper = SessionKeeper(bus)
    bus.publish(CardInserted(make_card()))
    assert keeper.card_on_reader is not None and keeper.card_present
    bus.publish(CardRemoved())
    assert keeper.card_on_reader is None and not keeper.card_present
    keeper.close()


def test_elder_mode_is_offered_from_the_green_channel_age() -> None:
    from datetime import date

    from kiosk.flows.identity import offers_elder_mode

    today = date(2026, 6, 1)
    assert offers_elder_mode(make_card(birth=date(1956, 6, 1)), today, 70)
    assert not offers_elder_mode(make_card(birth=date(1956, 6, 2)), today, 70)
