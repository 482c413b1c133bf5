"""The case's own page (/case/{token}) on a phone: what the progress QR on a submission receipt
opens — status, timeline, the owed list with deadlines, how to collect — with no login, nothing
personal beyond the masked name, and forged or unknown tokens refused with a friendly 404."""

from __future__ import annotations

from datetime import date

import pytest
from selenium.webdriver.common.by import By

from kiosk.tokens import case_token, ticket_token
from tests.hall.browser.conftest import DESKTOP, PHONE, SECRET, http, set_viewport, shot, text_of
from tests.progress_hall import add_case, move

PERSON = "ab" * 32
CONTRACT = "解除或终止劳动合同证明"


@pytest.fixture
def phone(browser):
    set_viewport(browser, *PHONE)
    yield browser
    set_viewport(browser, *DESKTOP)


def test_the_receipt_qr_shows_status_owed_list_timeline_and_nothing_personal(hall, phone):
    """Given a case under review with a contract owed by 8 June, when the receipt's QR is
    opened on a phone, then the page shows its number, 审核中, the owed material with its
    deadline, the timeline newest first and the windows to collect at — the masked name only,
    no person hash, no staff note; and it follows the case when staff move it on."""
    ref = add_case(hall, PERSON, statuses=("under_review",), masked_name="欧**娜",
                   owed=((CONTRACT, CONTRACT, date(2026, 6, 8)),))
    phone.get(hall.url(f"/case/{ref.token}"))
    assert text_of(phone, "#number") == ref.number
    assert text_of(phone, "#status") == "审核中"
    assert text_of(phone, "#items") == "失业登记"
    owed = [e.text for e in phone.find_elements(By.CSS_SELECTOR, "#owed .owed-item")]
    assert owed == [f"{CONTRACT}：请于 2026-06-08 前补交"]
    steps = [e.text for e in phone.find_elements(By.CSS_SELECTOR, "#timeline .step")]
    assert [s.split(" ")[-1] for s in steps] == ["审核中", "已受理"]
    assert "尚未办好" in text_of(phone, "#collect") and "A01" in text_of(phone, "#collect")
    assert text_of(phone, "#name") == "欧**娜"
    source = phone.page_source
    assert PERSON not in source and "clerk" not in source
    shot(phone, "case-page-under-review")

    move(hall, ref.number, "approved")
    move(hall, ref.number, "ready_for_pickup")
    phone.get(hall.url(f"/case/{ref.token}"))
    assert text_of(phone, "#status") == "待领取"
    assert "结果已可领取" in text_of(phone, "#collect")
    assert not phone.find_elements(By.ID, "promised")  # no promise once it is done
    shot(phone, "case-page-ready")


def test_a_result_in_the_locker_says_so(hall, phone):
    ref = add_case(hall, PERSON, delivery="locker",
                   statuses=("under_review", "approved", "ready_for_pickup"), locker=9)
    phone.get(hall.url(f"/case/{ref.token}"))
    collect = text_of(phone, "#collect")
    assert "9 号文件柜" in collect and "短信" in collect
    assert "材料已齐全" in text_of(phone, "#owed")
    shot(phone, "case-page-locker")


def test_forged_foreign_or_unknown_tokens_get_a_friendly_404(hall, phone):
    """Given a real case, when its token is altered, signed by another hall, made for a
    ticket, or names no case, then each is the same 404 page that shows nothing of the case."""
    ref = add_case(hall, PERSON)
    forged = ref.token[:-2] + ("AA" if not ref.token.endswith("AA") else "BB")
    foreign = case_token(ref.case_id, b"another hall's secret 0123456789")
    a_ticket = ticket_token(ref.case_id, SECRET)
    unknown = case_token("00000000-0000-4000-8000-000000000000", SECRET)
    for bad in (forged, foreign, a_ticket, unknown, "SB20260601-0001", "x.y"):
        phone.get(hall.url(f"/case/{bad}"))
        assert "没有找到该办件" in phone.page_source, bad
        assert ref.number not in phone.page_source
    shot(phone, "case-page-not-found")
    with http(hall) as client:
        assert client.get(f"/case/{forged}").status_code == 404
        page = client.get(f"/case/{ref.token}")
        assert page.status_code == 200 and page.headers["X-Frame-Options"] == "DENY"
