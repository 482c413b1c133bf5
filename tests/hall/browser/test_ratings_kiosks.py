"""Bad-rating follow-up and kiosk health in the staff console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By

from tests.hall.browser.conftest import SUPERVISOR, http, login, shot, submit, text_of
from tests.hall.browser.kiosk_client import KioskApi


@pytest.fixture(scope="module")
def rated(hall):
    kiosk = KioskApi(hall, "K05")
    now = datetime.now(UTC)
    old = kiosk.rate(1, ["等候时间太长"], now - timedelta(days=40))
    fresh = kiosk.rate(2, ["工作人员态度不好"], now)
    kiosk.rate(5, [], now)  # a good rating opens no follow-up
    return old, fresh


def test_overdue_in_red_and_follow_up_by_supervisor(hall, browser, rated):
    """Given a 40-day-old 非常不满意 and today's 不满意, when a supervisor opens the list, then
    the old one is overdue (red, in words) and the new one is not; marking it contacted then
    resolved with notes takes it off the open list."""
    old, fresh = rated
    login(browser, hall, SUPERVISOR)
    browser.get(hall.url("/ratings"))
    ids = [r.get_attribute("id") for r in
           browser.find_elements(By.CSS_SELECTOR, "#followups tbody tr")]
    assert ids == [f"rating-{old}", f"rating-{fresh}"]  # the oldest deadline first
    old_row = browser.find_element(By.ID, f"rating-{old}")
    assert "已超期" in old_row.text
    red = old_row.find_element(By.CSS_SELECTOR, ".fix-due").value_of_css_property("color")
    assert red == "rgba(179, 38, 30, 1)"
    assert "已超期" not in browser.find_element(By.ID, f"rating-{fresh}").text
    shot(browser, "ratings")

    row = browser.find_element(By.ID, f"rating-{old}")
    row.find_element(By.TAG_NAME, "textarea").send_keys("已电话联系，致歉并说明")
    submit(browser, f"#rating-{old} button")
    assert "已记录回访" in text_of(browser, ".flash.ok")
    row = browser.find_element(By.ID, f"rating-{old}")
    assert "已联系" in row.text and "已电话联系" in row.text
    row.find_element(By.TAG_NAME, "textarea").send_keys("增开窗口，已告知评价人")
    submit(browser, f"#rating-{old} button")
    assert browser.find_elements(By.ID, f"rating-{old}") == []
    browser.get(hall.url("/ratings?all=1"))
    assert "增开窗口" in browser.find_element(By.ID, f"rating-{old}").text


def test_clerk_sees_but_cannot_mark(hall, browser, rated):
    _, fresh = rated
    login(browser, hall)
    browser.get(hall.url("/ratings"))
    assert browser.find_elements(By.CSS_SELECTOR, f"#rating-{fresh} form") == []
    csrf = browser.find_element(By.CSS_SELECTOR, "header form input[name=csrf_token]")
    browser.execute_script(
        "var f = document.createElement('form'); f.method = 'post';"
        "f.action = '/ratings/' + arguments[0] + '/contacted';"
        "f.innerHTML = '<input name=csrf_token value=\"' + arguments[1] + '\">"
        "<input name=note value=x>'; document.body.append(f); f.submit();",
        fresh, csrf.get_attribute("value"))
    assert "仅限主管" in text_of(browser, ".flash.err")


def test_kiosks_page_shows_missing_and_alerts(hall, browser):
    """Given K01 beating with paper out and a citizen pressing 呼叫工作人员, K02 silent for six
    minutes and K03 never heard from, then K02 and K03 show as 失联 first, K01 as online with
    its paper and alert."""
    now = datetime.now(UTC).isoformat()
    k1, k2 = KioskApi(hall, "K01-A"), KioskApi(hall, "K02")
    KioskApi(hall, "K03")
    k1.heartbeat(paper="out", pending=3, devices={
        "printer": {"state": "degraded", "reason": "paper out"},
        "idcard": {"state": "ok", "reason": ""}},
        alerts=[{"kind": "call_staff", "message": "取号机旁群众需要帮助", "at": now}])
    k2.heartbeat()
    with hall.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE hall_kiosks SET last_seen_at = ? WHERE kiosk_id = 'K02'",
                             ((datetime.now(UTC) - timedelta(minutes=6)).replace(tzinfo=None),))
    login(browser, hall)
    browser.get(hall.url("/kiosks"))
    shot(browser, "kiosks")
    ids = [r.get_attribute("id") for r in
           browser.find_elements(By.CSS_SELECTOR, "#kiosk-list tbody tr")]
    assert ids.index("kiosk-K02") < ids.index("kiosk-K01-A")
    assert ids.index("kiosk-K03") < ids.index("kiosk-K01-A")
    assert "失联" in text_of(browser, "#kiosk-K02 .state")
    assert "6 分钟前" in text_of(browser, "#kiosk-K02")
    assert "失联" in text_of(browser, "#kiosk-K03 .state")
    k1_text = text_of(browser, "#kiosk-K01-A")
    assert "在线" in k1_text and "缺纸" in k1_text and "3 条" in k1_text
    assert "群众呼叫工作人员" in text_of(browser, "#kiosk-K01-A .alerts")


def test_csrf_refused(hall, browser):
    """A POST without this session's token (another site's form, an old page) changes
    nothing and says why; a login form without its token is refused too."""
    hall.queue.issue_ticket("unemployment-registration")  # something a forged call would call
    login(browser, hall)
    with http(hall) as client:
        client.cookies.update({c["name"]: c["value"] for c in browser.get_cookies()})
        reply = client.post("/counter/A02/call", data={"csrf_token": "forged"})
        assert reply.status_code == 403 and "CSRF" in reply.text
        reply = client.post("/counter/A02/call", data={})
        assert reply.status_code == 403
        good = browser.find_element(By.CSS_SELECTOR, "header form input[name=csrf_token]")
        reply = client.post("/counter/A02/call", data={"csrf_token": good.get_attribute("value")},
                            headers={"Origin": "https://evil.example"})
        assert reply.status_code == 403
    with hall.engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM tickets WHERE window_id = 'A02'").scalar() == 0
    with http(hall) as client:
        reply = client.post("/login", data={"username": "clerk1", "password": "correct-horse-1",
                                            "csrf_token": "x" * 32})
        assert reply.status_code == 403 and "hall_staff" not in reply.cookies
