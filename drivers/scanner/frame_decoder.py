"""Decode camera frames within the frame budget: the cheap look every frame, hard looks in turn.

A camera frame has 33 ms (30 frames/s) on one core, code or no code. On a frame *with* a clear
QR code one small zxing QR search (≈ 2 ms) finds it; on a frame *without* one, the passes a still
photo gets (every format, full size, both libraries, thresholding, CLAHE, rotations) cost 160 ms
to 1.4 s, mostly the 1D-barcode search on every row of a busy picture. So each frame gets:

1. ``qr-fast``: zxing, QR only, on the frame downscaled to ``FAST_SIDE`` — every frame;
2. if that found nothing, the *next* step of ``CAMERA_STEPS`` — one bounded slice of the hard
   work (every format at 640 px, zbar, full-resolution QR, the full-resolution 1D search in bands,
   thresholded / CLAHE / tilted views for QR), taken in turn, so a code that needs a hard look is
   found within one cycle of frames (``len(CAMERA_STEPS)``) while it is held in view.

Each step was sized so its worst case (pixel noise, the costliest picture there is) stays well
under the budget on this project's 2-core machine; ``bench/bench_qr.py`` measures every step on
noise, a desk page and the letterboxed photo corpus and fails when any frame's p99 is over 33 ms.
Still images (``decode_image``/``decode_file``) stay thorough: a photo is the only chance.

Must never touch a device, a thread or the UI, and never raise on an unreadable frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.scanner import decode
from drivers.scanner.base import ScannedCode
from drivers.scanner.decode import (
    FAST_SIDE,
    blur_otsu,
    clahe,
    dedupe,
    downscale,
    quiet_zone,
    read_zbar,
    read_zxing,
    rotate,
    to_gray,
)

#: A slice of work on one frame: (full-size gray, gray downscaled to FAST_SIDE) → codes.
StepFn = Callable[[np.ndarray, np.ndarray], list[ScannedCode]]


@dataclass(frozen=True)
class FrameStep:
    name: str
    run: StepFn


def _formats(*names: str) -> object:
    """zxing-cpp formats by name, or ``None`` (every format) when zxing-cpp is missing."""
    if decode.zxingcpp is None:
        return None
    return tuple(getattr(decode.zxingcpp.BarcodeFormat, name) for name in names)


_QR = _formats("QRCode")
_LINEAR = _formats("AllLinear")
_MATRIX = _formats("DataMatrix", "Aztec")
_STACKED = _formats("PDF417", "MicroQRCode")
_ZBAR_QR = decode.ZBAR_SYMBOLS[:1]  # QRCODE comes first in decode.ZBAR_SYMBOLS
_ZBAR_LINEAR = decode.ZBAR_SYMBOLS[1:]
_HARD_SIDE = 640  # the thresholded / tilted views: enough for a QR code held up to the camera
_BANDS = 4  # the full-resolution 1D search is cut into this many overlapping bands
_OVERLAP = 64  # px shared by neighbouring bands, so a barcode on a cut is whole in one of them
BUDGET_MS = 10.0  # hard steps start on a frame only while the time spent stays within this


def _band(gray: np.ndarray, index: int, bands: int) -> np.ndarray:
    h = gray.shape[0]
    step = h // bands
    top = max(0, index * step - _OVERLAP // 2)
    bottom = h if index == bands - 1 else min(h, (index + 1) * step + _OVERLAP // 2)
    return np.ascontiguousarray(gray[top:bottom])


def _turned(gray: np.ndarray) -> np.ndarray:
    return cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE)


def _zxing_linear(view: np.ndarray) -> list[ScannedCode]:
    # rows only: the turned view is its own step, so each costs half of zxing's try_rotate
    return read_zxing(view, _LINEAR, try_rotate=False)


def _full_band(index: int, *, turned: bool) -> StepFn:
    """zxing's 1D search at full resolution on one band of rows (of columns when ``turned``)."""
    def run(gray: np.ndarray, _small: np.ndarray) -> list[ScannedCode]:
        return _zxing_linear(_band(_turned(gray) if turned else gray, index, _BANDS))
    return run


def _zbar_quarter(index: int) -> StepFn:
    """zbar's 1D search (it scans rows and columns itself) on a quarter of the small frame."""
    def run(_gray: np.ndarray, small: np.ndarray) -> list[ScannedCode]:
        return read_zbar(_band(small, index, 4), _ZBAR_LINEAR)
    return run


def _hard_view(make: Callable[[np.ndarray], np.ndarray], *, zbar: bool) -> StepFn:
    """One library's QR search on a prepared view (quiet zone added, then ``make``)."""
    def run(gray: np.ndarray, _small: np.ndarray) -> list[ScannedCode]:
        view = make(quiet_zone(downscale(gray, _HARD_SIDE)))
        return read_zbar(view, _ZBAR_QR) if zbar else read_zxing(view, _QR)
    return run


def _tilted(degrees: float) -> StepFn:
    """zbar's QR search on a tilted view (zxing's finder already works at any angle)."""
    def run(gray: np.ndarray, _small: np.ndarray) -> list[ScannedCode]:
        return read_zbar(rotate(downscale(gray, _HARD_SIDE), degrees), _ZBAR_QR)
    return run


# Cheapest and most often useful first; the full-resolution bands last.
CAMERA_STEPS: tuple[FrameStep, ...] = (
    FrameStep("zbar-qr", lambda _g, small: read_zbar(small, _ZBAR_QR)),
    FrameStep("qr-full", lambda gray, _s: read_zxing(gray, _QR)),
    FrameStep("zxing-linear-rows", lambda _g, small: _zxing_linear(small)),
    FrameStep("zxing-linear-cols", lambda _g, small: _zxing_linear(_turned(small))),
    *(FrameStep(f"zbar-linear{i + 1}", _zbar_quarter(i)) for i in range(4)),
    FrameStep("zxing-matrix", lambda _g, small: read_zxing(small, _MATRIX)),
    FrameStep("zxing-stacked", lambda _g, small: read_zxing(small, _STACKED)),
    *(FrameStep(f"{name}-{lib}", _hard_view(make, zbar=lib == "zbar"))
      for name, make in (("blur-otsu", blur_otsu), ("quiet-zone", lambda v: v), ("clahe", clahe))
      for lib in ("zxing", "zbar")),
    FrameStep("rotate15", _tilted(15)),
    FrameStep("rotate-15", _tilted(-15)),
    *(FrameStep(f"full-rows{i + 1}", _full_band(i, turned=False)) for i in range(_BANDS)),
    *(FrameStep(f"full-cols{i + 1}", _full_band(i, turned=True)) for i in range(_BANDS)),
)


class FrameDecoder:
    """Per-frame decoding for one camera: remembers which hard step comes next.

    Not thread-safe: one decoder per scanning thread (``CameraScanner`` owns one).
    """

    def __init__(self, steps: tuple[FrameStep, ...] = CAMERA_STEPS, *,
                 fast_side: int = FAST_SIDE, budget_ms: float = BUDGET_MS) -> None:
        if not steps:
            raise ValueError("a FrameDecoder needs at least one hard step")
        self.steps = steps
        self.fast_side = fast_side
        self.budget_ms = budget_ms
        self._next = 0
        # What each step cost the last time it ran; a step never seen is assumed to take the
        # whole budget, so it runs alone on its frame until it has been measured.
        self._cost_ms = {step.name: budget_ms for step in steps}
        self.last_steps: tuple[str, ...] = ()  # what ran on the last frame ("qr-fast" first)

    @property
    def cycle(self) -> int:
        """At most this many frames go by before every hard step has looked once."""
        return len(self.steps)

    def decode(self, frame: np.ndarray | None) -> list[ScannedCode]:
        """The codes in ``frame``: the fast QR look, else hard steps in turn while the frame's
        budget lasts (at least one; never the same step twice on one frame)."""
        if frame is None or frame.size == 0:
            return []
        started = time.perf_counter()
        gray = to_gray(frame)
        small = downscale(gray, self.fast_side)
        found = read_zxing(small, _QR)
        ran = ["qr-fast"]
        for _ in range(len(self.steps)):
            if found:
                break
            step = self.steps[self._next]
            elapsed = (time.perf_counter() - started) * 1000
            if len(ran) > 1 and elapsed + self._cost_ms[step.name] > self.budget_ms:
                break
            self._next = (self._next + 1) % len(self.steps)
            ran.append(step.name)
            step_start = time.perf_counter()
            found = step.run(gray, small)
            self._cost_ms[step.name] = (time.perf_counter() - step_start) * 1000
        self.last_steps = tuple(ran)
        return dedupe(found)
