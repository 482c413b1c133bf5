"""Automatic capture: take the photo once the citizen's page has been good and still for a moment.

``SteadyCapture.feed(assessment, at)`` turns each frame's ``Assessment`` into ``Guidance`` for the
preview. A good page whose corners still move (more than ``max_shift`` of the frame's diagonal
between two frames) is told to hold still (``Verdict.HOLD_STILL``); once ``steady_frames`` good
frames in a row have each stayed put, ``capture`` is True — once per steady period, so the
screen takes one photo, not one per frame. Any bad frame, a move, or a pause in the frames
longer than ``max_gap`` seconds starts the count again. Pure: it never reads a clock (the frame's
time is given), never touches a camera or the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drivers.camera.document import VERDICT_MESSAGES, Assessment, Verdict


@dataclass(frozen=True)
class Guidance:
    verdict: Verdict  # assess_frame's, or HOLD_STILL while a good page moves
    message: str  # msgid (Chinese) for the preview
    corners: np.ndarray | None  # the outline to draw, TL, TR, BR, BL in frame pixels
    steady: float  # 0..1: how far the steady count has got (for a progress ring)
    capture: bool  # take the photo now (True for exactly one frame per steady period)


class SteadyCapture:
    def __init__(self, steady_frames: int = 6, max_shift: float = 0.01, *,
                 max_gap: float = 1.0) -> None:
        if steady_frames < 1:
            raise ValueError(f"steady_frames must be at least 1, got {steady_frames}")
        if not 0 < max_shift < 1:
            raise ValueError(f"max_shift is a share of the frame diagonal (0..1), got {max_shift}")
        self.steady_frames = steady_frames
        self.max_shift = max_shift
        self.max_gap = max_gap
        self.reset()

    def reset(self) -> None:
        """Forget the page: the next good frame starts a new steady period."""
        self._previous: np.ndarray | None = None  # corners of the last good frame
        self._last_at: float | None = None
        self._run = 0
        self._captured = False

    def feed(self, assessment: Assessment, at: float) -> Guidance:
        """Guidance for the frame assessed as ``assessment``, seen at ``at`` (seconds)."""
        gap = self._last_at is not None and not 0 <= at - self._last_at <= self.max_gap
        self._last_at = at
        if not assessment.ok or assessment.corners is None:
            self._previous, self._run, self._captured = None, 0, False
            return Guidance(assessment.verdict, assessment.message, assessment.corners, 0.0,
                            False)
        corners = np.asarray(assessment.corners, np.float32)
        previous, self._previous = self._previous, corners
        if previous is None or gap:
            # the first good frame is the reference: stillness needs a second one to compare
            self._run, self._captured = 0, False
            return self._guidance(Verdict.OK, corners)
        if float(np.abs(corners - previous).max()) > self.max_shift * _diagonal(assessment):
            self._run, self._captured = 0, False
            return self._guidance(Verdict.HOLD_STILL, corners)
        self._run += 1
        capture = self._run >= self.steady_frames and not self._captured
        self._captured = self._captured or capture
        return self._guidance(Verdict.OK, corners, capture)

    def _guidance(self, verdict: Verdict, corners: np.ndarray, capture: bool = False) -> Guidance:
        return Guidance(verdict, VERDICT_MESSAGES[verdict], corners,
                        min(1.0, self._run / self.steady_frames), capture)


def _diagonal(assessment: Assessment) -> float:
    """The frame's diagonal; the page's own when the frame size is not known."""
    if assessment.frame_size is not None:
        w, h = assessment.frame_size
        return float(np.hypot(w, h))
    c = np.asarray(assessment.corners, np.float32)
    return float(np.linalg.norm(c[2] - c[0]))
