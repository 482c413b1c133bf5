"""A USB/V4L2 camera (or a video file, for tests and demos) read by OpenCV on a worker thread.

The worker reads frames as fast as the camera delivers them and keeps only the newest, so
``latest_frame()`` never waits and the UI never sees a stale backlog. Health turns OFFLINE with a
reason when the device cannot be opened or stops delivering frames for ``stall_timeout``
seconds; the worker then reopens it every ``reconnect_interval`` seconds (``reconnect=True``).
Must never touch widgets (the UI polls ``latest_frame`` from its clock) and never leak the
worker thread: ``close()`` stops and joins it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np

from drivers.base import DeviceUnplugged, Health, HealthState
from drivers.camera.base import Camera


class OpenCvCamera(Camera):
    def __init__(self, index_or_path: int | str, width: int = 1280, height: int = 720, *,
                 stall_timeout: float = 2.0, reconnect: bool = True,
                 reconnect_interval: float = 1.0) -> None:
        self.source = index_or_path
        self.width = width
        self.height = height
        self.stall_timeout = stall_timeout
        self.reconnect = reconnect
        self.reconnect_interval = reconnect_interval
        self.frames_captured = 0
        self._frame: np.ndarray | None = None
        self._frame_at = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._capture: cv2.VideoCapture | None = None
        self._health = Health(HealthState.OFFLINE, "not opened")
        # a recorded file is played at its own frame rate, as a camera would deliver it
        self._is_file = isinstance(index_or_path, str) and Path(index_or_path).is_file()

    # -- Device ----------------------------------------------------------------------------
    def open(self) -> None:
        self.close()
        self._stop.clear()
        self._capture = self._open_capture()  # raises DeviceUnplugged: nothing to run
        self._health = Health.ok()
        self._thread = threading.Thread(target=self._run, name=f"camera {self.source}",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)
        self._release()
        with self._lock:
            self._frame = None
        self._health = Health(HealthState.OFFLINE, "closed")

    def health(self) -> Health:
        return self._health

    def latest_frame(self) -> np.ndarray | None:
        # The worker replaces the reference and never writes into a frame it handed out.
        with self._lock:
            return self._frame

    def frame_age(self) -> float | None:
        """Seconds since the newest frame arrived (``None`` before the first)."""
        with self._lock:
            return None if self._frame is None else time.monotonic() - self._frame_at

    # -- worker ----------------------------------------------------------------------------
    def _run(self) -> None:
        last_good = time.monotonic()
        pace = self._file_pace()
        while not self._stop.is_set():
            capture = self._capture
            if capture is None:
                self._try_reopen()
                last_good = time.monotonic()
                continue
            ok, frame = capture.read()
            now = time.monotonic()
            if ok and frame is not None:
                with self._lock:
                    self._frame, self._frame_at = frame, now
                self.frames_captured += 1
                last_good = now
                if self._health.state is not HealthState.OK:
                    self._health = Health.ok()
                if pace:
                    self._stop.wait(pace)
                continue
            if now - last_good >= self.stall_timeout:
                self._health = Health(
                    HealthState.OFFLINE,
                    f"camera {self.source} stopped delivering frames for "
                    f"{self.stall_timeout:.1f} s (unplugged, or end of the video file)")
                self._release()
                if not self.reconnect:
                    return
            else:
                self._stop.wait(0.02)  # a dropped frame: give the driver a moment

    def _try_reopen(self) -> None:
        if self._stop.wait(self.reconnect_interval):
            return
        try:
            self._capture = self._open_capture()
        except DeviceUnplugged:
            return  # health already says why

    def _open_capture(self) -> cv2.VideoCapture:
        source = self.source
        if isinstance(source, str) and source.isdigit():
            source = int(source)
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            capture.release()
            reason = f"cannot open camera {self.source}"
            self._health = Health(HealthState.OFFLINE, reason)
            raise DeviceUnplugged(f"{reason}: unplugged, wrong index/path, or in use by "
                                  "another program", "摄像头未连接")
        if not self._is_file:
            # ask explicitly: V4L2 cameras default to 640×480 whatever they can do
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a queue of old ones
        return capture

    def _file_pace(self) -> float:
        if not self._is_file or self._capture is None:
            return 0.0
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        return 1.0 / fps if 0 < fps < 1000 else 1 / 30

    def _release(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()
