"""Steady auto-capture: hold still while a good page moves, capture once after N steady frames."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera.document import VERDICT_MESSAGES, Assessment, Verdict
from drivers.camera.steady import SteadyCapture

SIZE = (1280, 720)
DIAGONAL = float(np.hypot(*SIZE))
CORNERS = np.float32([[400, 60], [840, 80], [860, 680], [380, 660]])


def _ok(shift: float = 0.0) -> Assessment:
    """A good page, moved right by ``shift`` of the frame diagonal."""
    corners = CORNERS + np.float32([shift * DIAGONAL, 0])
    return Assessment(True, corners, Verdict.OK, VERDICT_MESSAGES[Verdict.OK], 4.2, 200.0, SIZE)


def _bad(verdict: Verdict) -> Assessment:
    return Assessment(False, None, verdict, VERDICT_MESSAGES[verdict], 0.0, 90.0, SIZE)


def test_capture_once_after_steady_frames():
    """Given a good page held still, when frames arrive, then the first is the reference, the
    steady share climbs by 1/6 per frame, capture is True on the 6th steady frame only, and
    later still frames do not capture again."""
    steady = SteadyCapture(steady_frames=6, max_shift=0.01)
    guides = [steady.feed(_ok(), at=i / 15) for i in range(12)]
    assert [g.capture for g in guides] == [False] * 6 + [True] + [False] * 5
    assert [round(g.steady, 3) for g in guides[:7]] == [round(i / 6, 3) for i in range(7)]
    assert all(g.verdict is Verdict.OK for g in guides)
    assert guides[6].message == VERDICT_MESSAGES[Verdict.OK]
    np.testing.assert_array_equal(guides[6].corners, CORNERS)


def test_moving_page_is_told_to_hold_still_and_restarts_the_count():
    """Given a good page that moves 2 % of the diagonal per frame, when fed, then HOLD_STILL
    with "请保持不动" and steady 0; once it stops, six steady frames are needed again."""
    steady = SteadyCapture(steady_frames=6, max_shift=0.01)
    steady.feed(_ok(0.0), at=0.0)
    for i in range(1, 4):
        g = steady.feed(_ok(0.02 * i), at=i / 15)
        assert g.verdict is Verdict.HOLD_STILL and g.message == "请保持不动"
        assert g.steady == 0.0 and not g.capture
    # small tremor below max_shift counts as still
    guides = [steady.feed(_ok(0.06 + 0.004 * (i % 2)), at=(4 + i) / 15) for i in range(6)]
    assert [g.capture for g in guides] == [False] * 5 + [True]


def test_a_bad_frame_passes_its_verdict_through_and_resets():
    """Given five steady frames, then a glare frame, when fed, then the glare verdict and its
    message come through with steady 0, and the count starts over."""
    steady = SteadyCapture(steady_frames=6)
    for i in range(6):
        steady.feed(_ok(), at=i / 15)
    g = steady.feed(_bad(Verdict.GLARE), at=0.5)
    assert (g.verdict, g.message, g.steady, g.capture) == (
        Verdict.GLARE, VERDICT_MESSAGES[Verdict.GLARE], 0.0, False)
    captures = [steady.feed(_ok(), at=0.6 + i / 15).capture for i in range(7)]
    assert captures == [False] * 6 + [True]


def test_capture_again_only_after_the_page_was_taken_away():
    """Given a capture, when the page leaves (no page) and comes back still, then a second
    capture follows; reset() also starts a new period."""
    steady = SteadyCapture(steady_frames=2)
    assert [steady.feed(_ok(), at=i).capture for i in range(3)] == [False, False, True]
    steady.feed(_bad(Verdict.NO_PAGE), at=3)
    assert [steady.feed(_ok(), at=4 + i * 0.1).capture for i in range(3)] == [False, False, True]
    steady.reset()
    assert [steady.feed(_ok(), at=5 + i * 0.1).capture for i in range(3)] == [False, False, True]


def test_a_pause_in_the_frames_restarts_the_count():
    """Given steady frames, when the next arrives 2 s later (preview paused) or from the past,
    then it is only a new reference."""
    steady = SteadyCapture(steady_frames=3, max_gap=1.0)
    for i in range(3):
        steady.feed(_ok(), at=i * 0.1)
    assert steady.feed(_ok(), at=2.5).steady == 0.0
    assert steady.feed(_ok(), at=2.6).steady == pytest.approx(1 / 3)
    assert steady.feed(_ok(), at=1.0).steady == 0.0


@pytest.mark.parametrize(("frames", "shift"), [(0, 0.01), (6, 0.0), (6, 1.5)])
def test_bad_settings_refused(frames, shift):
    """Given a non-positive frame count or a shift outside 0..1, then ValueError naming it."""
    with pytest.raises(ValueError, match="steady_frames|max_shift"):
        SteadyCapture(frames, shift)
