"""The ticket's own page (/q/{token}) on a phone: live place in the queue, nothing personal,
forged tokens refused with a friendly page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from selenium.webdriver.common.by import By

from kiosk.tokens import ticket_token
from tests.hall.browser.conftest import (
    DESKTOP,
    PHONE,
    SECRET,
    http,
    set_viewport,
    shot,
    text_of,
    wait_for,
)


@dataclass
class Card:
    id_number: str = "11010519800517002X"
    name: str = "欧阳娜娜"
    birth_date: date = date(1980, 5, 17)


@pytest.fixture
def phone(browser):
    set_viewport(browser, *PHONE)
    yield browser
    set_viewport(browser, *DESKTOP)


def test_live_place_in_queue_without_personal_data(hall, phone):
    """Given two people ahead, when the windows call, then the page counts down without a
    reload and finally says which window to go to; the name and the item never appear."""
    hall.queue.issue_ticket("employment-registration")
    hall.queue.issue_ticket("employment-registration")
    mine = hall.queue.issue_ticket("employment-registration", card=Card())
    assert mine.masked_name == "欧**娜"
    phone.get(hall.url(f"/q/{ticket_token(mine.uuid, SECRET)}"))
    assert text_of(phone, "#number") == mine.number
    wait_for(phone, lambda d: text_of(d, "#ahead") == "2")
    assert mine.people_ahead == 2  # the page counts as the kiosk did when it printed the ticket
    source = phone.page_source
    assert "欧" not in source and mine.item_name not in source
    shot(phone, "ticket-waiting")
    marker = phone.find_element(By.TAG_NAME, "main")

    desk = hall.app.state.queue_desk
    desk.call_next("A01")
    wait_for(phone, lambda d: text_of(d, "#ahead") == "1", message="ahead did not update")
    desk.call_next("A02")
    wait_for(phone, lambda d: text_of(d, "#ahead") == "0")
    assert text_of(phone, "#wait") == "即将叫到您"
    desk.call_next("A03")
    wait_for(phone, lambda d: d.find_element(By.ID, "window-box").is_displayed())
    assert text_of(phone, "#window") == "A03"
    assert text_of(phone, "#status") == "请前往窗口"
    assert not phone.find_element(By.ID, "ahead-box").is_displayed()
    assert marker.tag_name == "main"  # same document: updated live
    shot(phone, "ticket-called")


def test_green_channel_ticket_counts_only_green_tickets_ahead(hall, phone):
    hall.queue.issue_ticket("social-insurance-enrolment")
    first = hall.queue.issue_ticket("social-insurance-enrolment", declared_group="disabled")
    second = hall.queue.issue_ticket("social-insurance-enrolment", declared_group="pregnant")
    phone.get(hall.url(f"/q/{ticket_token(second.uuid, SECRET)}"))
    wait_for(phone, lambda d: text_of(d, "#ahead") == "1")
    assert second.people_ahead == 1
    phone.get(hall.url(f"/q/{ticket_token(first.uuid, SECRET)}"))
    wait_for(phone, lambda d: text_of(d, "#ahead") == "0")


def test_polling_fallback_updates_too(hall, phone):
    mine = hall.queue.issue_ticket("employment-registration")
    hall.queue.issue_ticket("employment-registration")
    phone.get(hall.url(f"/q/{ticket_token(mine.uuid, SECRET)}?poll=1"))
    wait_for(phone, lambda d: d.find_element(By.ID, "ahead-box").is_displayed())
    desk = hall.app.state.queue_desk
    while desk.call_next("A04").number != mine.number:  # whoever is ahead goes first
        pass
    wait_for(phone, lambda d: text_of(d, "#window") == "A04", timeout=12)


def test_forged_or_unknown_token_is_a_friendly_404(hall, phone):
    real = hall.queue.issue_ticket("employment-registration")
    token = ticket_token(real.uuid, SECRET)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_hall = ticket_token(real.uuid, b"another hall's secret 0123456789")
    unknown = ticket_token("00000000-0000-4000-8000-000000000000", SECRET)
    for bad in (forged, other_hall, unknown, "A001", "x.y"):
        phone.get(hall.url(f"/q/{bad}"))
        assert "没有找到这张票" in phone.page_source, bad
        assert real.number not in phone.page_source
    shot(phone, "ticket-not-found")
    with http(hall) as client:
        assert client.get(f"/q/{forged}").status_code == 404
        assert client.get(f"/q/{forged}/state").status_code == 404
        assert client.get(f"/q/{forged}/events").status_code == 404
        assert client.get(f"/q/{token}/state").json()["number"] == real.number
