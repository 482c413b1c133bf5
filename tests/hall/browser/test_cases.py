"""Cases in the staff console: list and filters, a case's material images and timeline, status
changes offering only the allowed transitions, the 一次性告知 owed list, images only for staff."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kiosk.hall.services.cases import ALLOWED, STATUS_ZH
from tests.hall.browser.conftest import http, login, shot, submit, text_of, wait_for
from tests.hall.browser.kiosk_client import KioskApi, jpeg


@pytest.fixture(scope="module")
def submitted(hall):
    kiosk = KioskApi(hall, "K01")
    first = kiosk.submit_case("unemployment-registration", [
        {"material_id": "id-card", "name": "居民身份证", "status": "received", "due_date": None,
         "pages": [{"file": "p1.jpg"}, {"file": "p2.jpg"}]},
        {"material_id": "contract-end", "name": "解除或终止劳动合同证明", "status": "owed",
         "due_date": "2026-12-20", "pages": []}],
        {"p1.jpg": jpeg((235, 240, 250)), "p2.jpg": jpeg((250, 245, 225))})
    second = kiosk.submit_case("business-licence", [
        {"material_id": "id-card", "name": "居民身份证", "status": "received", "due_date": None,
         "pages": [{"file": "q1.jpg"}]}], {"q1.jpg": jpeg((240, 250, 240))}, "李*")
    return first["case_number"], second["case_number"]


def rows(browser):
    return [r.find_element(By.CSS_SELECTOR, "td a").text for r in
            browser.find_elements(By.CSS_SELECTOR, "#case-list tbody tr") if
            r.find_elements(By.CSS_SELECTOR, "td a")]


def test_list_and_filters(hall, browser, submitted):
    first, second = submitted
    login(browser, hall)
    browser.get(hall.url("/cases"))
    assert set(rows(browser)) == {first, second}
    shot(browser, "cases-list")
    Select(browser.find_element(By.ID, "f-item")).select_by_value("business-licence")
    submit(browser, "#filter-go")
    assert rows(browser) == [second]
    browser.get(hall.url(f"/cases?number={first.lower()}"))
    assert rows(browser) == [first]
    browser.get(hall.url("/cases?status=approved"))
    assert rows(browser) == []
    day = first[2:6] + "-" + first[6:8] + "-" + first[8:10]  # SB20261201-0001: local day
    browser.get(hall.url(f"/cases?day={day}"))
    assert set(rows(browser)) == {first, second}
    browser.get(hall.url("/cases?day=2020-01-01"))
    assert rows(browser) == []
    browser.get(hall.url("/cases?day=12/01/2026"))
    assert "格式不对" in text_of(browser, ".flash.err")


def test_case_page_status_change_and_images(hall, browser, submitted):
    first, _ = submitted
    login(browser, hall)
    browser.get(hall.url(f"/cases/{first}"))
    images = browser.find_elements(By.CSS_SELECTOR, ".pages img")
    assert len(images) == 2
    wait_for(browser, lambda d: all(d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", i) == 480 for i in images))
    offered = [o.get_attribute("value") for o in
               Select(browser.find_element(By.ID, "new-status")).options]
    assert offered == list(ALLOWED["received"])
    shot(browser, "case-detail")

    Select(browser.find_element(By.ID, "new-status")).select_by_value("more_needed")
    browser.find_element(By.ID, "status-note").send_keys("劳动合同证明需补交原件")
    submit(browser, "#status-save")
    assert text_of(browser, "#case-status") == STATUS_ZH["more_needed"]
    assert "劳动合同证明需补交原件" in text_of(browser, "#timeline")
    assert "clerk1" in text_of(browser, "#timeline")
    offered = [o.get_attribute("value") for o in
               Select(browser.find_element(By.ID, "new-status")).options]
    assert offered == list(ALLOWED["more_needed"])


def test_refused_transition_is_one_line(hall, browser, submitted):
    """A form posted with a status the case cannot take (an old tab) is refused with words."""
    _, second = submitted
    login(browser, hall)
    browser.get(hall.url(f"/cases/{second}"))
    browser.execute_script("var o = document.createElement('option'); o.value = 'collected';"
                           "document.getElementById('new-status').append(o);"
                           "document.getElementById('new-status').value = 'collected';")
    browser.find_element(By.ID, "status-note").send_keys("x")
    submit(browser, "#status-save")
    assert "不能改为" in text_of(browser, ".flash.err")
    assert text_of(browser, "#case-status") == STATUS_ZH["received"]


def test_owed_list_edit(hall, browser, submitted):
    """Given a case owing its contract proof, when the clerk unticks it and adds another
    material with a deadline, then the stored owed list is exactly the new one."""
    first, _ = submitted
    login(browser, hall)
    browser.get(hall.url(f"/cases/{first}"))
    form = browser.find_element(By.ID, "owed-form")
    boxes = form.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    names = form.find_elements(By.CSS_SELECTOR, "input[name^=name_]")
    owed_now = [n.get_attribute("value") for b, n in zip(boxes, names, strict=True)
                if b.is_selected()]
    assert owed_now == ["解除或终止劳动合同证明"]
    boxes[1].click()  # the contract proof has now been handed in
    blank = next(i for i, n in enumerate(names) if not n.get_attribute("value"))
    boxes[blank].click()
    names[blank].send_keys("户口簿复印件")
    dates = form.find_elements(By.CSS_SELECTOR, "input[type=date]")
    browser.execute_script("arguments[0].value = '2026-12-31'", dates[blank])
    browser.execute_script("arguments[0].scrollIntoView()", form)
    shot(browser, "case-owed-form")
    submit(browser, "#owed-save")
    assert "已保存" in text_of(browser, ".flash.ok")
    with hall.app.state.sessions.begin() as session:
        from kiosk.hall.services.cases import get_case
        case = get_case(session, first)
    owed = {(m.name, str(m.due_date)) for m in case.materials if m.status == "owed"}
    assert owed == {("户口簿复印件", "2026-12-31")}
    shot(browser, "case-owed-saved")


def test_images_and_pages_need_login(hall, submitted):
    first, _ = submitted
    with http(hall) as client:
        for path in (f"/cases/{first}", f"/cases/{first}/pages/1", "/cases", "/counter",
                     "/ratings", "/kiosks", "/counter/A01"):
            reply = client.get(path)
            assert reply.status_code == 303, path
            assert reply.headers["location"].startswith("/login?next="), path
        reply = client.post(f"/cases/{first}/status", data={"status": "rejected", "note": "x"})
        assert reply.status_code == 303 and reply.headers["location"].startswith("/login")
