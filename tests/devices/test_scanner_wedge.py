"""WedgeDetector: keyboard-wedge scans told apart from a person typing, by timing alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner.base import ScannedCode
from drivers.scanner.wedge import Typed, WedgeDetector, WedgeEvent


def _feed_all(detector: WedgeDetector, keys: list[tuple[str, float]]) -> list[WedgeEvent]:
    events: list[WedgeEvent] = []
    for key, t in keys:
        events += detector.feed(key, t)
    return events


def _typed_keys(events: list[WedgeEvent]) -> list[str]:
    return [k for e in events if isinstance(e, Typed) for k in e.keys]


def _burst(text: str, start: float, step: float = 0.004) -> list[tuple[str, float]]:
    keys = [(ch, start + i * step) for i, ch in enumerate(text)]
    return [*keys, ("enter", start + len(text) * step)]


def test_fast_burst_ending_in_enter_is_a_scan():
    """Given keys 4 ms apart ending in Enter, when fed, then exactly one ScannedCode comes out
    (source wedge) and no key leaks to the focused field."""
    events = _feed_all(WedgeDetector(), _burst("A-0042-XYZ", start=10.0))
    assert events == [ScannedCode("A-0042-XYZ", "unknown", "wedge")]


def test_scan_with_shift_presses_is_still_a_scan():
    """Given a scanner that presses Shift for capitals, when fed, then the modifiers are ignored
    and the burst is still one scan."""
    keys = [("shift", 0.000), ("A", 0.002), ("b", 0.006), ("shift", 0.008), ("C", 0.010),
            ("1", 0.014), ("2", 0.018), ("enter", 0.022)]
    assert _feed_all(WedgeDetector(), keys) == [ScannedCode("AbC12", "unknown", "wedge")]


def test_person_typing_then_enter_is_typing():
    """Given a person typing 'hello' at irregular 90–250 ms intervals and pressing Enter, when
    fed, then every key comes back as typing, in order, and no scan is reported."""
    times = [0.0, 0.12, 0.37, 0.46, 0.71, 0.90]
    keys = list(zip([*"hello", "enter"], times, strict=True))
    events = _feed_all(WedgeDetector(), keys)
    assert not any(isinstance(e, ScannedCode) for e in events)
    assert _typed_keys(events) == [*"hello", "enter"]


def test_fast_pair_from_key_rollover_is_typing():
    """Given two keys 10 ms apart (rollover) then a pause, when the flush timer runs,
    then the pair is released as typing: too short to be a scan."""
    detector = WedgeDetector()
    assert detector.feed("a", 1.000) == []
    assert detector.feed("s", 1.010) == []
    assert detector.holding
    assert detector.flush(1.030) == []  # still within the gap: it could be a scan
    assert detector.flush(1.050) == [Typed(("a", "s"))]
    assert not detector.holding


def test_short_fast_burst_with_enter_is_typing():
    """Given 3 fast keys + Enter (below min_length 4), when fed, then it is typing."""
    events = _feed_all(WedgeDetector(), _burst("abc", start=0.0))
    assert _typed_keys(events) == ["a", "b", "c", "enter"]
    assert not any(isinstance(e, ScannedCode) for e in events)


def test_slow_enter_after_fast_burst_is_typing():
    """Given a fast burst whose Enter comes 200 ms later, when fed, then it is typing."""
    keys = [(ch, i * 0.004) for i, ch in enumerate("12345")] + [("enter", 0.216)]
    events = _feed_all(WedgeDetector(), keys)
    assert _typed_keys(events) == [*"12345", "enter"]


def test_typing_then_scan_keeps_both():
    """Given a person types 'x', then 300 ms later the scanner sends a code, when fed, then the
    'x' is typing and the code is a scan, in that order."""
    events = _feed_all(WedgeDetector(), [("x", 0.0), *_burst("A-0042", start=0.3)])
    assert events == [Typed(("x",)), ScannedCode("A-0042", "unknown", "wedge")]


def test_named_key_passes_through():
    """Given backspace pressed while keys are held, when fed, then the held keys and the
    backspace come back as typing in order."""
    detector = WedgeDetector()
    detector.feed("a", 0.0)
    assert detector.feed("backspace", 0.005) == [Typed(("a",)), Typed(("backspace",))]


def test_thresholds_configurable():
    """Given max_gap 60 ms and min_length 2, when a 2-key burst 50 ms apart ends in Enter,
    then it is a scan (with defaults it would be typing)."""
    keys = [("4", 0.0), ("2", 0.05), ("enter", 0.10)]
    assert _feed_all(WedgeDetector(max_gap=0.06, min_length=2), keys) == [
        ScannedCode("42", "unknown", "wedge")]
    assert not any(isinstance(e, ScannedCode) for e in _feed_all(WedgeDetector(), keys))
    with pytest.raises(ValueError):
        WedgeDetector(max_gap=0)


_human_key = st.sampled_from([*"abcdefghijklmnopqrstuvwxyz0123456789", "enter", "backspace"])


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(st.tuples(_human_key, st.floats(min_value=0.031, max_value=1.0)),
                     min_size=1, max_size=40))
def test_human_timing_never_makes_a_scan(keys):
    """Given any keys with gaps longer than 30 ms (a person), when fed and flushed, then no
    ScannedCode appears and every key comes back as typing, in order."""
    detector = WedgeDetector()
    t, events = 0.0, []
    for key, gap in keys:
        t += gap
        events += detector.feed(key, t)
    events += detector.flush(t + 1.0)
    assert not any(isinstance(e, ScannedCode) for e in events)
    assert _typed_keys(events) == [k for k, _ in keys]
