"""Staff login: bad passwords refused, lockout, safe redirects, logout, tampered cookies."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from kiosk.hall.auth import add_staff
from kiosk.hall.console.auth import MAX_FAILURES
from kiosk.hall.console.session import SESSION_COOKIE
from tests.hall.browser.conftest import CLERK, http, login, shot, submit, text_of, wait_for


def fill_login(browser, user, password):
    browser.find_element(By.ID, "username").clear()
    browser.find_element(By.ID, "username").send_keys(user)
    browser.find_element(By.ID, "password").send_keys(password)
    submit(browser, "form button[type=submit]")


def test_bad_password_refused_then_good_one_goes_where_asked(hall, browser):
    browser.delete_all_cookies()
    browser.get(hall.url("/cases?status=received"))
    assert "/login?next=" in browser.current_url
    shot(browser, "login")
    fill_login(browser, CLERK[0], "wrong password")
    assert text_of(browser, ".flash.err") == "用户名或密码错误，请重新输入。"
    assert browser.get_cookie(SESSION_COOKIE) is None
    assert browser.find_element(By.ID, "password").get_attribute("value") == ""
    shot(browser, "login-refused")
    fill_login(browser, CLERK[0], CLERK[1])
    assert browser.current_url.endswith("/cases?status=received")
    cookie = browser.get_cookie(SESSION_COOKIE)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    with hall.engine.connect() as conn:
        actions = [r[0] for r in conn.exec_driver_sql(
            "SELECT action FROM hall_audit WHERE subject = 'clerk1' AND action LIKE 'console.%'"
            " ORDER BY id").all()]
    assert actions == ["console.login_refused", "console.login"]


def test_lockout_after_repeated_failures(hall, browser):
    with hall.app.state.sessions.begin() as session:
        add_staff(session, "lockme", "the-right-one", "clerk")
    browser.delete_all_cookies()
    browser.get(hall.url("/login"))
    for _ in range(MAX_FAILURES):
        fill_login(browser, "lockme", "nope")
        assert "用户名或密码错误" in text_of(browser, ".flash.err")
    fill_login(browser, "lockme", "the-right-one")
    assert "次数过多" in text_of(browser, ".flash.err")
    assert browser.get_cookie(SESSION_COOKIE) is None


def test_next_never_leaves_the_site(hall, browser):
    browser.delete_all_cookies()
    for evil in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        browser.get(hall.url("/login?next=" + evil))
        fill_login(browser, *CLERK)
        assert browser.current_url == hall.url("/counter"), evil
        browser.delete_all_cookies()


def test_logout_and_tampered_cookie(hall, browser):
    login(browser, hall)
    value = browser.get_cookie(SESSION_COOKIE)["value"]
    body, sig = value.split(".")
    browser.find_element(By.CSS_SELECTOR, "header form button").click()
    wait_for(browser, lambda d: d.current_url.endswith("/login"))
    browser.get(hall.url("/counter"))
    assert "/login" in browser.current_url
    with http(hall) as client:
        client.cookies.set(SESSION_COOKIE, value)
        assert client.get("/counter").status_code == 200  # the signed cookie itself is valid
        import base64
        import json
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        data["r"] = "supervisor"
        forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
        client.cookies.set(SESSION_COOKIE, f"{forged}.{sig}")
        assert client.get("/counter").status_code == 303


def test_pages_are_never_framed_and_leak_no_referrer(hall):
    """Every page carries the headers that stop clickjacking of staff forms and keep the board
    key and ticket tokens (both in URLs) from reaching other sites; the browser tests above and
    the live board run under exactly this policy (no inline script)."""
    with http(hall) as client:
        for path in ("/login", "/q/not-a-token", "/board?key=x"):
            headers = client.get(path).headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"], path
            assert "script-src 'self'" in headers["content-security-policy"], path
            assert headers["x-frame-options"] == "DENY", path
            assert headers["referrer-policy"] == "same-origin", path


def test_disabled_account_or_new_role_applies_at_once(hall, browser):
    """Given a clerk logged in, when an administrator disables the account, then the next page
    asks for a login although the cookie is still within its 12 hours; a role change applies to
    the next page too."""
    with hall.app.state.sessions.begin() as session:
        add_staff(session, "temp1", "temporary-pass", "clerk")
    login(browser, hall, ("temp1", "temporary-pass"))
    browser.get(hall.url("/ratings"))
    assert browser.find_elements(By.CSS_SELECTOR, "#followups th")[-1].text != "登记"
    with hall.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE hall_staff SET role = 'supervisor' WHERE username='temp1'")
    browser.get(hall.url("/ratings"))
    assert browser.find_elements(By.CSS_SELECTOR, "#followups th")[-1].text == "登记"
    assert "temp1（主管）" in text_of(browser, "header .who")
    with hall.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE hall_staff SET disabled = true WHERE username = 'temp1'")
    browser.get(hall.url("/counter"))
    assert "/login" in browser.current_url
