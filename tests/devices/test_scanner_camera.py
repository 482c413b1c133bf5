"""CameraScanner on the simulated camera: a QR code held up to the camera becomes one scan."""

from __future__ import annotations

import threading

from drivers.base import Fault, HealthState
from drivers.camera.simulated import SimulatedCamera
from drivers.scanner.base import ScannedCode
from drivers.scanner.camera_scanner import CameraScanner


def test_qr_on_page_is_scanned_once_and_thread_stops():
    """Given the simulated camera showing a QR code with Chinese text, when a CameraScanner
    runs, then read_code returns it once (source camera), not again while it stays in view,
    and closing stops the decoding thread."""
    camera = SimulatedCamera()
    camera.show_qr("预约码 A-0042")
    scanner = CameraScanner(camera, interval=0.02)
    scanner.open()
    try:
        assert scanner.health().state is HealthState.OK
        assert scanner.read_code(timeout=5.0) == ScannedCode("预约码 A-0042", "QRCode", "camera")
        assert scanner.read_code(timeout=0.3) is None
        assert scanner.frames_decoded >= 2
    finally:
        scanner.close()
    assert not [t for t in threading.enumerate() if t.name == "camera scanner"]


def test_new_code_is_reported_and_unplugged_camera_shows_in_health():
    """Given a scanner that already reported one code, when another code is shown, then it is
    reported; when the camera is unplugged, health is the camera's OFFLINE reason."""
    camera = SimulatedCamera()
    camera.show_qr("FIRST")
    scanner = CameraScanner(camera, interval=0.02)
    scanner.open()
    try:
        assert scanner.read_code(timeout=5.0).text == "FIRST"
        camera.show_qr("SECOND")
        assert scanner.read_code(timeout=5.0).text == "SECOND"
        camera.inject(Fault.UNPLUGGED)
        assert camera.latest_frame() is None
        assert scanner.health().state is HealthState.OFFLINE
        assert "unplugged" in scanner.health().reason
    finally:
        scanner.close()


def test_page_without_code_gives_nothing():
    """Given the camera showing a page with no QR code, when scanned for a while, then nothing."""
    scanner = CameraScanner(SimulatedCamera(), interval=0.02)
    scanner.open()
    try:
        assert scanner.read_code(timeout=0.3) is None
        assert scanner.frames_decoded >= 1
    finally:
        scanner.close()
