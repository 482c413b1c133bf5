"""The progress lookup's read client and the parsing of the hall's answers, on their own: a
server that accepts but never answers, a wrong token, a malformed answer — each one clear
``ReadFailed`` or ``ValueError`` line, never a hang or a traceback on the screen."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.progress.reader import CaseUnknown, HallReader, ReadFailed
from kiosk.progress.views import CaseView
from tests.progress_hall import RunningHall, add_case, open_hall


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningHall]:
    hall = open_hall(tmp_path)
    yield hall
    hall.close()


def test_a_server_that_never_answers_fails_after_the_timeout() -> None:
    """Given a port that accepts connections and never answers, when read with a 0.3 s
    timeout, then ReadFailed (the UI path is not held: no retry)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        reader = HallReader(f"http://127.0.0.1:{port}", "token", 0.3)
        with pytest.raises(ReadFailed, match="ReadTimeout"):
            reader.by_person("ab" * 32)
        reader.close()


def test_a_wrong_token_or_unknown_case_are_told_apart(running: RunningHall) -> None:
    """Given the real hall, a revoked/wrong kiosk token is a failed read (a technician's
    problem: the citizen sees the last known state), an unknown number is CaseUnknown, and
    the reader never shows its token."""
    bad = HallReader(running.url, "not-the-token", 2.0)
    with pytest.raises(ReadFailed, match="401"):
        bad.by_person("ab" * 32)
    assert "not-the-token" not in repr(bad)
    good = HallReader(running.url, running.token, 2.0)
    with pytest.raises(CaseUnknown):
        good.by_number("SB20260101-9999")
    ref = add_case(running, "ab" * 32)
    assert CaseView.from_json(good.by_number(ref.number)).case_number == ref.number
    bad.close()
    good.close()


@pytest.mark.parametrize(("change", "message"), [
    ({"status": "lost"}, "status: found 'lost', expected one of"),
    ({"delivery": "drone"}, "delivery: found 'drone'"),
    ({"submitted_at": "yesterday"}, "submitted_at: found 'yesterday', expected an ISO time"),
    ({"submitted_at": "2026-06-01T10:00:00"}, "expected a time with its zone"),
    ({"item_ids": "unemployment-registration"}, "item_ids: expected a list"),
    ({"owed_count": -1}, "owed_count: found -1"),
    ({"promised_date": "June"}, "promised_date: found 'June', expected YYYY-MM-DD"),
])
def test_a_malformed_answer_is_one_clear_line(change: dict, message: str) -> None:
    good = {"case_number": "SB20260601-0001", "case_id": "c1", "status": "received",
            "item_ids": ["unemployment-registration"], "masked_name": "张*",
            "delivery": "window", "submitted_at": "2026-06-01T10:00:00+08:00",
            "promised_date": None, "owed_count": 0}
    CaseView.from_json(good)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        CaseView.from_json({**good, **change})
