"""The console's session cookie and CSRF helpers (kiosk.hall.console.session), without a server."""

from __future__ import annotations

import time

from kiosk.hall.console.session import (
    SESSION_MAX_AGE_S,
    csrf_ok,
    decode_session,
    encode_session,
    new_session,
    session_key,
)

KEY = session_key(b"k" * 32)


def test_round_trip_and_expiry():
    staff = new_session("clerk1", "clerk")
    value = encode_session(KEY, staff)
    assert decode_session(KEY, value) == staff
    assert decode_session(KEY, value, now=time.time() + SESSION_MAX_AGE_S + 5) is None
    assert decode_session(session_key(b"j" * 32), value) is None


def test_garbage_is_none():
    for bad in (None, "", ".", "a.b", "x" * 3000, "€.€"):
        assert decode_session(KEY, bad) is None


def test_unknown_role_refused_even_when_signed():
    value = encode_session(KEY, new_session("x", "admin"))
    assert decode_session(KEY, value) is None


def test_csrf_compare():
    assert csrf_ok("abc", "abc")
    assert not csrf_ok("abc", "abd")
    assert not csrf_ok("", "")
    assert not csrf_ok("abc", None)
    assert not csrf_ok("abc", "äbc")
