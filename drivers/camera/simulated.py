"""A camera without hardware: a desk with a white A4 page on it, optionally with a QR code.

The demo and the UI tests "photograph a material" and "show a QR code" with it: frames are drawn
(deterministically, so tests can assert on them) at the first look after the scene changes, and
``latest_frame()`` hands out a copy. ``set_scene`` makes the photo blurred, dark or glaring so
the rejection messages can be shown; ``show_document`` holds a generated photograph of a page
with one named defect (``sample_pages.DEFECTS``) in front of it, and ``show_frames`` plays a
sequence (a page moved, then held still) one frame per look, then holds the last. The UNPLUGGED
fault makes the camera stop delivering. Must never sleep, start threads or touch the UI.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from drivers.base import DeviceUnplugged, Fault, Health, HealthState
from drivers.camera.base import Camera
from drivers.faults import SimulatedFaults

if TYPE_CHECKING:
    import numpy as np

PAGE_RATIO = 297 / 210  # A4, portrait


class SimulatedCamera(Camera, SimulatedFaults):
    def __init__(self, width: int = 1280, height: int = 720) -> None:
        SimulatedFaults.__init__(self)
        self.width = width
        self.height = height
        self.frames_served = 0
        self._lock = threading.Lock()
        self._open = False
        self._qr_text: str | None = None
        self._page = True
        self._blur = 0
        self._brightness = 1.0
        self._glare = False
        # Drawn on first use: OpenCV and numpy are not imported before a frame is wanted (a
        # quarter of the kiosk's start-up, for a camera most screens never look at).
        self._frame: np.ndarray | None = None
        # frames to play instead of the drawn desk (show_document / show_frames), and where
        self._frames: list[np.ndarray] = []
        self._next = 0

    # -- Device ----------------------------------------------------------------------------
    def open(self) -> None:
        if self.active(Fault.UNPLUGGED):
            raise DeviceUnplugged("simulated camera is unplugged", "摄像头未连接")
        self._open = True

    def close(self) -> None:
        self._open = False

    def health(self) -> Health:
        if self.active(Fault.UNPLUGGED):
            return Health(HealthState.OFFLINE, "simulated: camera unplugged")
        return Health.ok() if self._open else Health(HealthState.OFFLINE, "not opened")

    def latest_frame(self) -> np.ndarray | None:
        if not self._open or self.active(Fault.UNPLUGGED):
            return None
        with self._lock:
            self.frames_served += 1
            if self._frames:
                frame = self._frames[min(self._next, len(self._frames) - 1)]
                self._next += 1
                return frame.copy()
            if self._frame is None:
                self._frame = self._render()
            return self._frame.copy()

    # -- the scene -------------------------------------------------------------------------
    def show_qr(self, text: str | None) -> None:
        """Hold a QR code encoding ``text`` on the page (``None`` takes it away)."""
        with self._lock:
            self._qr_text = text
            self._frame = None
            self._frames = []

    def show_document(self, defect: str | None = None, seed: int = 0) -> None:
        """Hold a generated photograph of a page (``seed``) with ``defect`` (``None``: a good one;
        else one of ``sample_pages.DEFECTS``) until the scene changes."""
        from drivers.camera.sample_pages import photograph, render_page

        shot = photograph(render_page(seed), seed=seed, defect=defect,
                          frame_size=(self.width, self.height))
        self.show_frames([shot.frame])

    def show_frames(self, frames: Sequence[np.ndarray]) -> None:
        """Play ``frames`` (BGR, any size) one per ``latest_frame()``, then hold the last; an
        empty sequence goes back to the drawn desk."""
        with self._lock:
            self._frames = [f.copy() for f in frames]
            self._next = 0

    def set_scene(self, *, page: bool = True, blur: int = 0, brightness: float = 1.0,
                  glare: bool = False) -> None:
        """``blur``: Gaussian kernel size in pixels (0 = sharp); ``brightness``: gain on the
        whole frame (0.2 = a dark corner); ``glare``: a ceiling light reflected on the page."""
        with self._lock:
            self._page, self._blur, self._brightness, self._glare = page, blur, brightness, glare
            self._frame = None
            self._frames = []

    def _render(self) -> np.ndarray:
        import cv2
        import numpy as np

        h, w = self.height, self.width
        rng = np.random.default_rng(7)
        # a wooden desk: brown with soft grain, dark enough that the page stands out
        grain = cv2.resize(rng.integers(0, 30, (h // 16, w // 4), dtype=np.uint8), (w, h))
        frame = np.empty((h, w, 3), np.uint8)
        frame[:] = (45, 75, 110)
        frame = cv2.add(frame, cv2.merge([grain // 2, grain, grain]))
        if self._page:
            page = self._page_image(rng)
            ph, pw = page.shape[:2]
            src = np.float32([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]])
            cx, top, bottom = w / 2, 0.08 * h, 0.93 * h
            # seen from slightly in front and rotated a little: a trapezoid, wider at the bottom
            half_top, half_bottom = 0.19 * (bottom - top), 0.37 * (bottom - top)
            dst = np.float32([[cx - half_top + 30, top], [cx + half_top + 50, top + 12],
                              [cx + half_bottom + 10, bottom],
                              [cx - half_bottom - 20, bottom - 10]])
            m = cv2.getPerspectiveTransform(src, dst)
            warped = cv2.warpPerspective(page, m, (w, h))
            mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (w, h))
            frame[mask > 0] = warped[mask > 0]
            if self._glare:
                glow = np.zeros((h, w), np.float32)
                cv2.circle(glow, (int(cx), int(h * 0.4)), int(h * 0.16), 255.0, -1)
                glow = cv2.GaussianBlur(glow, (0, 0), 12)
                frame = np.clip(frame + glow[:, :, None], 0, 255).astype(np.uint8)
        if self._blur:
            k = self._blur | 1
            frame = cv2.GaussianBlur(frame, (k, k), 0)
        if self._brightness != 1.0:
            frame = cv2.convertScaleAbs(frame, alpha=self._brightness, beta=0)
        return frame

    def _page_image(self, rng: np.random.Generator) -> np.ndarray:
        import cv2
        import numpy as np

        pw = 840
        ph = round(pw * PAGE_RATIO)
        page = np.full((ph, pw, 3), 232, np.uint8)
        cv2.putText(page, "APPLICATION FORM", (150, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                    (30, 30, 30), 4, cv2.LINE_AA)
        y = 190
        while y < ph - 90:
            # lines of "text": words as dark bars of random width
            x = 80
            end = pw - 80 - int(rng.integers(0, 250))
            while x < end:
                word = int(rng.integers(25, 110))
                cv2.rectangle(page, (x, y), (min(x + word, end), y + 14), (50, 50, 50), -1)
                x += word + 18
            y += 42
        if self._qr_text is not None:
            qr = _qr_image(self._qr_text, side=380)
            x0, y0 = pw - 60 - qr.shape[1], ph - 60 - qr.shape[0]
            page[y0:y0 + qr.shape[0], x0:x0 + qr.shape[1]] = qr[:, :, None]
        return page


def _qr_image(text: str, side: int) -> np.ndarray:
    """A grayscale QR code about ``side`` pixels wide, with its quiet zone, drawn by ``qrcode``."""
    import numpy as np
    import qrcode

    code = qrcode.QRCode(border=4, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    modules = np.array(code.get_matrix(), dtype=bool)
    box = max(1, side // modules.shape[0])
    # printed on the page: paper-white and toner-black, not pure 255/0
    return np.kron(np.where(modules, 25, 232).astype(np.uint8), np.ones((box, box), np.uint8))
