"""The counter page and the display board, in a real browser against the real server.

A clerk calls, recalls, skips and finishes at window A01; the green channel is called first; the
board (opened with its key) shows each call live and its spoken WAV is a real, long-enough file.
"""

from __future__ import annotations

import io
import json
import wave

import httpx
from selenium.webdriver.common.by import By

from kiosk.hall.console.board import board_key
from tests.hall.browser.conftest import (
    SECRET,
    login,
    shot,
    submit,
    text_of,
    wait_for,
)


def test_counter_calls_green_channel_first_then_in_order(hall, browser):
    """Given A001 and A002 regular and A003 for a pregnant woman, when the clerk at A01 calls,
    then A003 comes first, then A001; recall, skip and done move the ticket as they say."""
    first = hall.queue.issue_ticket("unemployment-registration")
    second = hall.queue.issue_ticket("unemployment-registration")
    green = hall.queue.issue_ticket("unemployment-registration", declared_group="pregnant")
    login(browser, hall)
    browser.get(hall.url("/counter"))
    shot(browser, "counter-windows")
    browser.find_element(By.ID, "window-A01").click()
    wait_for(browser, lambda d: d.current_url.endswith("/counter/A01"))
    assert text_of(browser, "#current-number") == "—"
    assert not browser.find_element(By.ID, "btn-recall").is_enabled()
    upcoming = [r.text.split()[0] for r in
                browser.find_elements(By.CSS_SELECTOR, "#upcoming tbody tr")]
    assert upcoming[:3] == [green.number, first.number, second.number]

    submit(browser, "#btn-call")
    assert text_of(browser, "#current-number") == green.number
    assert "孕妇" in browser.page_source
    shot(browser, "counter-called")

    submit(browser, "#btn-recall")
    assert "已重呼" in text_of(browser, ".flash.ok")
    assert text_of(browser, "#current-number") == green.number

    submit(browser, "#btn-done")
    assert text_of(browser, "#current-number") == "—"
    submit(browser, "#btn-call")
    assert text_of(browser, "#current-number") == first.number
    submit(browser, "#btn-skip")
    assert "已过号" in text_of(browser, ".flash.ok")
    with hall.engine.connect() as conn:
        statuses = dict(conn.exec_driver_sql(
            "SELECT number, status FROM tickets WHERE id IN (?, ?, ?)",
            (first.uuid, second.uuid, green.uuid)).all())
    assert statuses == {green.number: "done", first.number: "skipped", second.number: "waiting"}
    with hall.engine.connect() as conn:
        actions = [r[0] for r in conn.exec_driver_sql(
            "SELECT action FROM hall_audit WHERE actor = 'clerk1' AND subject = 'A01' "
            "ORDER BY id").all()]
    assert actions == ["counter.call", "counter.recall", "counter.done", "counter.call",
                       "counter.skip"]


def test_nothing_waiting_is_one_clear_line(hall, browser):
    login(browser, hall)
    browser.get(hall.url("/counter/C02"))
    submit(browser, "#btn-call")
    assert "没有" in text_of(browser, ".flash.err")
    shot(browser, "counter-nothing-waiting")


def test_board_updates_live_and_speaks(hall, browser):
    """Given the board open on the hall TV, when a clerk calls a number in another browser
    session, then the board shows it within seconds without a reload, announces it, and
    announces it again on recall; the WAV it plays is a real WAV of several seconds."""
    ticket = hall.queue.issue_ticket("business-licence")
    key = board_key(SECRET)
    browser.get(hall.url(f"/board?key={key}"))
    wait_for(browser, lambda d: text_of(d, "#live") == "实时", message="event stream")
    browser.find_element(By.ID, "start-voice").click()
    marker = browser.find_element(By.TAG_NAME, "html")

    desk = hall.app.state.queue_desk
    desk.call_next("B01")
    wait_for(browser, lambda d: text_of(d, "#now-number") == ticket.number,
             message="the board did not show the call")
    assert marker.tag_name == "html"  # the same page: updated live, not reloaded
    assert "B01" in text_of(browser, "#now-window")
    announced = lambda d: d.execute_script(  # noqa: E731
        "return Array.from(document.querySelectorAll('#announced li'))"
        ".map(function (li) { return li.textContent; })")
    wait_for(browser, lambda d: announced(d) == [f"{ticket.number}→B01"])
    shot(browser, "board")
    desk.recall("B01")
    wait_for(browser, lambda d: announced(d) == [f"{ticket.number}→B01",
                                                 f"{ticket.number}→B01（重呼）"])

    with httpx.Client(base_url=hall.base_url) as client:
        reply = client.get("/board/voice.wav", params={"key": key, "number": ticket.number,
                                                        "window": "B01"})
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "audio/wav"
        with wave.open(io.BytesIO(reply.content)) as w:
            assert w.getnchannels() == 1
            assert w.getnframes() / w.getframerate() > 3.0
        assert client.get("/board/voice.wav", params={
            "key": key, "number": "A001", "window": "X99"}).status_code == 422
        assert client.get("/board/voice.wav", params={
            "key": "wrong", "number": "A001", "window": "A01"}).status_code == 403
        assert client.get("/board/state", params={"key": key[:-1] + "A"}).status_code == 403


def test_board_polling_fallback_and_stream_format(hall, browser):
    """Where EventSource is unavailable (poll=1), the board polls the same state and still
    shows a call; the stream itself is text/event-stream with the state as JSON."""
    ticket = hall.queue.issue_ticket("construction-permit")
    key = board_key(SECRET)
    browser.get(hall.url(f"/board?key={key}&poll=1"))
    wait_for(browser, lambda d: text_of(d, "#live") == "定时刷新")
    hall.app.state.queue_desk.call_next("C01")
    wait_for(browser, lambda d: text_of(d, "#now-number") == ticket.number, timeout=10)
    with httpx.Client(base_url=hall.base_url, timeout=10) as client:
        with client.stream("GET", "/board/events", params={"key": key}) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            assert next(lines) == ""
            assert next(lines) == "event: state"
            data = next(lines)
        state = json.loads(data.removeprefix("data: "))
        assert state["calls"][0]["number"] == ticket.number
        assert state["calls"][0]["window"] == "C01"


def test_board_key_shown_to_staff_and_wrong_key_page(hall, browser):
    login(browser, hall)
    browser.get(hall.url("/counter"))
    link = browser.find_element(By.ID, "board-link").get_attribute("href")
    assert link.endswith(f"/board?key={board_key(SECRET)}")
    browser.get(hall.url("/board?key=nope"))
    assert "叫号屏地址不正确" in text_of(browser, ".flash.err")
    shot(browser, "board-wrong-key")
