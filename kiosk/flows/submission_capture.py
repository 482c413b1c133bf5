"""Live page capture for the submission: one frame at a time off the UI thread, frames dropped
while the detector is busy, and the page taken by itself once it holds still and sharp.

``PageCapture`` owns the detection thread (a one-thread ``Worker``) and the steady-capture
state: ``look(frame, at, done)`` hands the frame to the page detector (``assess_frame`` of the
camera package), feeds the verdict to ``SteadyCapture`` and, when it says capture, straightens
the page and encodes it as JPEG — all on the detection thread — and calls ``done`` back on the
dispatch thread. A frame offered while the last one is still being looked at is dropped (the
preview never waits for detection). The camera package's functions are given at construction
(``DocumentTools``, built by ``drivers.factory.document_tools``): the core sees only this shape.
Never imports Kivy; never keeps a frame after its job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.flows.base import Outcome, Worker
from kiosk.flows.submission_state import LiveGuidance

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

# The longest side of a stored page: enough to read a document, small enough for the uplink.
PAGE_MAX_SIDE = 1600


class Steady(Protocol):
    def feed(self, assessment: Any, at: float) -> Any: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class DocumentTools:
    """The camera package's page detection, as the submission flow uses it."""

    assess: Callable[[np.ndarray], Any]  # frame -> Assessment
    straighten: Callable[[np.ndarray, np.ndarray], np.ndarray]  # frame, corners -> page
    steady: Callable[[], Steady]  # a fresh SteadyCapture


@dataclass(frozen=True)
class Look:
    """What one frame gave: the guidance to draw and, when taken, the page as JPEG."""

    guidance: LiveGuidance
    page: bytes | None


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    import cv2

    h, w = image.shape[:2]
    scale = PAGE_MAX_SIDE / max(h, w)
    if scale < 1:
        image = cv2.resize(image, (round(w * scale), round(h * scale)),
                           interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the page could not be encoded as JPEG")
    return bytes(buf)


def decode_size(jpeg: bytes) -> tuple[int, int]:
    """(width, height) of an encoded page, for the view's aspect ratio."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
    if image is None:
        return (0, 0)
    return (image.shape[1] * 8, image.shape[0] * 8)


class PageCapture:
    def __init__(self, tools: DocumentTools, worker: Worker, jpeg_quality: int) -> None:
        self.tools = tools
        self.worker = worker
        self.quality = jpeg_quality
        self._steady: Steady | None = None  # made by the first job (OpenCV loads then)
        self.busy = False
        self.dropped = 0  # frames offered while busy: the preview went on without them
        self.looked = 0
        self._want_reset = False

    def reset(self) -> None:
        """A new page: the steady count starts again (done by the next job, on its thread)."""
        self._want_reset = True

    def look(self, frame: np.ndarray, at: float, done: Callable[[Outcome[Look]], None]) -> bool:
        """Offer a frame; False (dropped) when the last one is still being looked at."""
        if self.busy:
            self.dropped += 1
            return False
        self.busy = True
        want_reset, self._want_reset = self._want_reset, False

        def job() -> Look:
            if self._steady is None:
                self._steady = self.tools.steady()
            elif want_reset:
                self._steady.reset()
            return self._assess(frame, at)

        def back(outcome: Outcome[Look]) -> None:
            self.busy = False
            self.looked += 1
            done(outcome)

        self.worker.run(job, back)
        return True

    def _assess(self, frame: np.ndarray, at: float) -> Look:
        import numpy as np

        assessment = self.tools.assess(frame)
        assert self._steady is not None
        guidance = self._steady.feed(assessment, at)
        corners = guidance.corners
        points = (tuple((float(x), float(y)) for x, y in np.asarray(corners).reshape(4, 2))
                  if corners is not None else None)
        live = LiveGuidance(str(guidance.verdict), str(guidance.message), points,
                            float(guidance.steady), (int(frame.shape[1]), int(frame.shape[0])))
        page = None
        if guidance.capture and corners is not None:
            page = encode_jpeg(self.tools.straighten(frame, np.asarray(corners, np.float32)),
                               self.quality)
        return Look(live, page)
