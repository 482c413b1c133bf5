"""A code scanner made of a camera: decodes the camera's newest frames on its own thread.

For kiosks without a dedicated scanner: the citizen holds the QR code (e.g. an appointment
code on a phone) in front of the camera. Each new frame (at most every ``interval`` seconds) gets
a ``FrameDecoder`` look bounded to the frame budget: the quick QR search, then the hard passes
spread over the following frames, so a hard code is found within one cycle while it is in view
and no frame costs more than its budget, code or no code. A code still held in view
is reported once, not thirty times a second: the same text is ignored while it stays in view
and until it has been out of view for ``repeat_after`` seconds. Must never open or close a
camera it shares with others (``owns_camera=False``), and never touch the UI.
"""

from __future__ import annotations

import queue
import threading
import time

from drivers.base import Health, HealthState
from drivers.camera.base import Camera
from drivers.scanner.base import CodeScanner, ScannedCode
from drivers.scanner.frame_decoder import FrameDecoder


class CameraScanner(CodeScanner):
    def __init__(self, camera: Camera, *, interval: float = 0.1, repeat_after: float = 3.0,
                 owns_camera: bool = True) -> None:
        self.camera = camera
        self.interval = interval
        self.repeat_after = repeat_after
        self.owns_camera = owns_camera
        self.frames_decoded = 0
        self.decoder = FrameDecoder()
        self._codes: queue.Queue[ScannedCode] = queue.Queue()
        self._last_seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error = ""

    def open(self) -> None:
        self.close()
        if self.owns_camera:
            self.camera.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera scanner", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)
        if self.owns_camera and thread is not None:
            self.camera.close()

    def health(self) -> Health:
        if self._thread is None:
            return Health(HealthState.OFFLINE, "not opened")
        camera = self.camera.health()
        if camera.state is not HealthState.OK:
            return camera
        if self._error:
            return Health(HealthState.DEGRADED, self._error)
        return Health.ok()

    def read_code(self, timeout: float) -> ScannedCode | None:
        try:
            return self._codes.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def _run(self) -> None:
        previous = None
        while not self._stop.wait(self.interval):
            frame = self.camera.latest_frame()
            if frame is None or frame is previous:
                continue  # no new frame since the last look: decoding it again finds nothing new
            previous = frame
            try:
                codes = self.decoder.decode(frame)
            except Exception as exc:  # a decoder crash must not kill the scanning thread
                self._error = f"decoder failed: {exc!r}"
                continue
            self._error = ""
            self.frames_decoded += 1
            now = time.monotonic()
            self._last_seen = {text: seen for text, seen in self._last_seen.items()
                               if now - seen < self.repeat_after}
            for code in codes:
                if code.text not in self._last_seen:
                    self._codes.put(ScannedCode(code.text, code.format, "camera"))
                self._last_seen[code.text] = now
