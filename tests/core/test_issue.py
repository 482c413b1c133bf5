"""Issuing: green channel by age and declared group, per-person and daily limits, opening hours
with the next opening in the message, people ahead and the wait estimate."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from kiosk.queue import (
    DailyCapacityReached,
    PersonalLimitReached,
    ServiceClosed,
    UnknownGroup,
    UnknownItem,
)
from tests.core.conftest import SHANGHAI, make_card


@pytest.mark.parametrize(("birth", "priority"), [
    (date(1956, 1, 6), False),  # turns 70 tomorrow
    (date(1956, 1, 5), True),  # 70th birthday today
    (date(1940, 2, 29), True),
])
def test_green_channel_by_age_from_the_card(service, birth, priority):
    """Given min_age 70 and today 2026-01-05, a card born on 1956-01-06 is 69 (regular) and one
    born on 1956-01-05 is 70 today (green channel, marked elderly)."""
    ticket = service.issue_ticket("unemployment-registration", card=make_card(birth=birth))
    assert ticket.priority is priority
    assert ticket.priority_reason == ("elderly" if priority else None)


def test_green_channel_by_declared_group(service):
    ticket = service.issue_ticket("company-change", declared_group="military")
    assert (ticket.priority_reason, ticket.priority_label) == ("military", "军人")
    with pytest.raises(UnknownGroup) as err:
        service.issue_ticket("company-change", declared_group="vip")
    assert "vip" in err.value.message_zh


def test_unknown_item_is_refused(service):
    with pytest.raises(UnknownItem):
        service.issue_ticket("no-such-item")


def test_personal_limit_recognises_the_card_on_any_kiosk(engine, make_service):
    """Given 失业登记 allows one ticket per person per day, when the same card is tapped again
    on another kiosk, then it is refused; a different person still gets a ticket, and the
    stored identity is the hash, never the number."""
    first, second = make_service(engine, kiosk_id="K01"), make_service(engine, kiosk_id="K02")
    card = make_card()
    ticket = first.issue_ticket("unemployment-registration", card=card)
    assert ticket.masked_name == "张*"
    with pytest.raises(PersonalLimitReached) as err:
        second.issue_ticket("unemployment-registration", card=card)
    assert err.value.limit == 1 and "失业登记" in err.value.message_zh
    other = make_card(id_number="350102199003071234", name="欧阳娜娜")
    assert second.issue_ticket("unemployment-registration", card=other).masked_name == "欧**娜"
    with engine.connect() as conn:
        dump = "".join(str(r) for r in conn.exec_driver_sql("SELECT * FROM tickets"))
        dump += "".join(str(r) for r in conn.exec_driver_sql("SELECT * FROM outbox"))
    assert "11010519491231002X" not in dump and "张三" not in dump


def test_category_limit_counts_all_items_of_the_category(service):
    card = make_card()
    for item in ("unemployment-registration", "employment-registration", "employment-certificate"):
        service.issue_ticket(item, card=card)
    with pytest.raises(PersonalLimitReached) as err:
        service.issue_ticket("social-security-card", card=card)
    assert "社会民生" in err.value.message_zh


def test_daily_capacity(engine, make_service, catalogue):
    item = dataclasses.replace(catalogue.item("pharmacy-licence"), daily_capacity=2)
    small = dataclasses.replace(catalogue, items=tuple(
        item if i.id == item.id else i for i in catalogue.items))
    service = make_service(engine, cat=small)
    service.issue_ticket("pharmacy-licence")
    service.issue_ticket("pharmacy-licence")
    with pytest.raises(DailyCapacityReached) as err:
        service.issue_ticket("pharmacy-licence")
    assert "2" in err.value.message_zh and "tomorrow" in err.value.message_en


@pytest.mark.parametrize(("now", "item", "opens", "zh"), [
    (datetime(2026, 1, 5, 12, 15, tzinfo=SHANGHAI), "unemployment-registration",
     datetime(2026, 1, 5, 13, 30, tzinfo=SHANGHAI), "今天 13:30"),
    (datetime(2026, 1, 9, 17, 30, tzinfo=SHANGHAI), "unemployment-registration",
     datetime(2026, 1, 12, 9, 0, tzinfo=SHANGHAI), "1月12日（周一）09:00"),
    (datetime(2026, 1, 10, 10, 0, tzinfo=SHANGHAI), "company-change",
     datetime(2026, 1, 12, 9, 0, tzinfo=SHANGHAI), "1月12日（周一）09:00"),
    (datetime(2026, 1, 5, 8, 0, tzinfo=SHANGHAI), "land-premium-payment",
     datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI), "今天 09:00"),
])
def test_closed_service_says_when_it_opens(service, clock, now, item, opens, zh):
    clock.set(now)
    with pytest.raises(ServiceClosed) as err:
        service.issue_ticket(item)
    assert err.value.opens_at == opens
    assert zh in err.value.message_zh


def test_saturday_service_is_open_on_saturday_morning(service, clock):
    clock.set(datetime(2026, 1, 10, 10, 0, tzinfo=SHANGHAI))
    assert service.issue_ticket("real-estate-registration").number == "C001"


def test_people_ahead_and_wait_from_catalogue_then_recent_service(service, clock, catalogue,
                                                                   counter):
    """Given no finished tickets, the wait uses the catalogue's average for the category; once
    tickets are finished, it uses their actual call-to-finish times."""
    for _ in range(4):
        service.issue_ticket("unemployment-registration")
    fifth = service.issue_ticket("unemployment-registration")
    avg = catalogue.average_minutes("social")
    windows = len(catalogue.category("social").windows)
    assert fifth.people_ahead == 4
    assert fifth.estimated_wait_minutes == -(-4 * avg // windows)
    green = service.issue_ticket("unemployment-registration", declared_group="pregnant")
    assert (green.people_ahead, green.estimated_wait_minutes) == (0, 0)
    counter.call_next("A01")  # calls the priority ticket
    clock.advance(timedelta(minutes=40))
    counter.done("A01")
    counter.call_next("A01")
    clock.advance(timedelta(minutes=40))
    counter.done("A01")
    later = service.issue_ticket("unemployment-registration")
    assert later.people_ahead == 4
    assert later.estimated_wait_minutes == 4 * 40 // windows


def test_estimate_matches_the_ticket_then_taken(service):
    """Given two tickets waiting, when a citizen asks for an estimate and then takes a number,
    then the estimate showed exactly the people ahead the ticket shows, and wrote nothing."""
    item = "unemployment-registration"
    service.issue_ticket(item)
    service.issue_ticket(item)
    guess = service.estimate(item)
    assert guess.priority_reason is None
    ticket = service.issue_ticket(item)
    assert ticket.number.endswith("003")  # the estimate took no number
    assert guess.people_ahead == ticket.people_ahead == 2
    assert guess.minutes == ticket.estimated_wait_minutes


def test_the_ticket_qr_opens_its_own_page_by_a_signed_token(service):
    """Given a ticket, when its QR is read, then it is the hall server's /q/ page with a token
    that the server (holding the same hall secret) resolves to this ticket and only this one:
    no sequence number or hall code to walk from, and a tampered token resolves to nothing."""
    from kiosk.tokens import ticket_from_token

    ticket = service.issue_ticket("company-change")
    base, _, token = ticket.queue_url.rpartition("/")
    assert base == service.config.hall.queue_url.rstrip("/")
    assert ticket.number not in token and service.hall not in token
    assert ticket_from_token(token, service.secret) == ticket.uuid
    assert ticket_from_token(token, b"another hall's secret") is None
    assert ticket_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
                             service.secret) is None
