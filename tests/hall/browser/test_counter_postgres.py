"""The counter flow once more on PostgreSQL (a hall's real database), with two windows calling
at the same moment: each gets a different citizen (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from selenium.webdriver.common.by import By

from tests.hall.browser.conftest import CLERK, SUPERVISOR, build_hall, http, login, submit, text_of

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def hall(tmp_path_factory, pg_server):
    built, server = build_hall(tmp_path_factory.mktemp("hall-pg"), pg_server.create_database())
    yield built
    server.stop()
    built.engine.dispose()


def test_counter_flow_on_postgres(hall, browser):
    assert hall.engine.dialect.name == "postgresql"
    regular = hall.queue.issue_ticket("social-security-card")
    elderly = hall.queue.issue_ticket("social-security-card", declared_group="military")
    login(browser, hall)
    browser.get(hall.url("/counter/A02"))
    submit(browser, "#btn-call")
    assert text_of(browser, "#current-number") == elderly.number
    submit(browser, "#btn-recall")
    submit(browser, "#btn-call")  # finishes the military ticket, calls the regular one
    assert text_of(browser, "#current-number") == regular.number
    submit(browser, "#btn-done")
    assert text_of(browser, "#current-number") == "—"
    assert browser.find_elements(By.CSS_SELECTOR, "#btn-recall[disabled]")


def test_two_windows_at_once_call_different_citizens(hall, browser):
    first = hall.queue.issue_ticket("social-security-card")
    second = hall.queue.issue_ticket("social-security-card")
    clients = []
    for who, window in ((CLERK, "A03"), (SUPERVISOR, "A04")):
        login(browser, hall, who)
        client = http(hall)
        client.cookies.update({c["name"]: c["value"] for c in browser.get_cookies()})
        token = browser.find_element(By.CSS_SELECTOR, "header form input[name=csrf_token]")
        clients.append((client, window, token.get_attribute("value")))
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda c: c[0].post(f"/counter/{c[1]}/call",
                                                     data={"csrf_token": c[2]}), clients))
    assert [r.status_code for r in replies] == [303, 303]
    with hall.engine.connect() as conn:
        rows = dict(conn.exec_driver_sql(
            "SELECT window_id, number FROM tickets WHERE id IN (%s, %s)",
            (first.uuid, second.uuid)).all())
    assert sorted(rows) == ["A03", "A04"]
    assert sorted(rows.values()) == sorted([first.number, second.number])
    for client, _, _ in clients:
        client.close()
