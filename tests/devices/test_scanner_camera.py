"""CameraScanner on the simulated camera: a QR code held up to the camera becomes one scan."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
import zxingcpp

from drivers.base import Fault, HealthState
from drivers.camera.simulated import SimulatedCamera
from drivers.scanner.base import ScannedCode
from drivers.scanner.camera_scanner import CameraScanner
from drivers.scanner.decode import FAST_SIDE, downscale, read_zbar, to_gray
from drivers.scanner.frame_decoder import CAMERA_STEPS, FrameDecoder


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


# ---- FrameDecoder: the per-frame budget -----------------------------------------------------

def _frame_with(code: np.ndarray, *, turned: bool = False, scale: float = 1.0) -> np.ndarray:
    """A 1280×720 desk-gray frame with ``code`` (a black-on-white symbol) pasted in the middle."""
    if turned:
        code = cv2.rotate(code, cv2.ROTATE_90_CLOCKWISE)
    if scale != 1.0:
        code = cv2.resize(code, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    frame = np.full((720, 1280), 120, np.uint8)
    h, w = code.shape[:2]
    y, x = (720 - h) // 2, (1280 - w) // 2
    frame[y:y + h, x:x + w] = code
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def _qr_frame(text: str) -> np.ndarray:
    camera = SimulatedCamera()
    camera.show_qr(text)
    camera.open()
    try:
        return camera.latest_frame()
    finally:
        camera.close()


def _code128(text: str, module_px: int = 3) -> np.ndarray:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    return np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=module_px,
                                                      add_quiet_zones=True))


def test_clear_qr_is_found_by_the_quick_look_alone():
    """Given a frame with a clear QR code, when decoded, then only the quick QR look ran."""
    decoder = FrameDecoder()
    assert [c.text for c in decoder.decode(_qr_frame("预约码 A-0042"))] == ["预约码 A-0042"]
    assert decoder.last_steps == ("qr-fast",)


def test_without_budget_each_frame_takes_the_next_hard_step_in_turn():
    """Given a decoder with no spare budget and a frame of pixel noise, when `cycle` frames are
    decoded, then each ran the quick look and exactly one hard step, every step once, in order,
    and nothing was invented; the next frame starts the cycle again."""
    noise = np.random.default_rng(7).integers(0, 256, (720, 1280), dtype=np.uint8)
    decoder = FrameDecoder(budget_ms=0.0)
    seen = []
    for _ in range(decoder.cycle):
        assert decoder.decode(noise) == []
        assert len(decoder.last_steps) == 2 and decoder.last_steps[0] == "qr-fast"
        seen.append(decoder.last_steps[1])
    assert seen == [step.name for step in CAMERA_STEPS]
    decoder.decode(noise)
    assert decoder.last_steps[1] == CAMERA_STEPS[0].name


@pytest.mark.parametrize("turned", [False, True], ids=["horizontal", "vertical"])
def test_barcode_needing_a_hard_step_is_found_within_one_cycle(turned):
    """Given a Code 128 barcode (which the quick QR look cannot read), horizontal or turned by
    90°, held in view, when frames are decoded one hard step each, then it is found within one
    cycle of frames, by a 1D step."""
    frame = _frame_with(_code128("CASE-2024-0042"), turned=turned)
    decoder = FrameDecoder(budget_ms=0.0)
    frames, found = 0, []
    while not found and frames < decoder.cycle:
        found = decoder.decode(frame)
        frames += 1
    assert [(c.text, c.format) for c in found] == [("CASE-2024-0042", "Code128")]
    assert "linear" in decoder.last_steps[-1] and frames > 1


def test_small_barcode_is_found_by_a_full_resolution_band():
    """Given a barcode too fine to read on the downscaled frame, when decoded one hard step per
    frame, then a full-resolution band finds it within one cycle."""
    frame = _frame_with(_code128("HALL-QZ01-77812345", module_px=1))  # 0.5 px once downscaled
    decoder = FrameDecoder(budget_ms=0.0)
    found = []
    for _ in range(decoder.cycle):
        found = decoder.decode(frame)
        if found:
            break
    assert [c.text for c in found] == ["HALL-QZ01-77812345"]
    assert decoder.last_steps[-1].startswith("full-")


def test_spare_budget_runs_several_hard_steps_on_one_frame():
    """Given an ample budget, when a cheap frame has been decoded for one cycle (each hard step
    runs alone until its cost is known), then the next frame runs every hard step at once."""
    decoder = FrameDecoder(budget_ms=10_000.0)
    blank = np.full((720, 1280, 3), 200, np.uint8)
    for _ in range(decoder.cycle - 1):
        decoder.decode(blank)
        assert len(decoder.last_steps) == 2
    decoder.decode(blank)  # the last unmeasured step, then all the measured ones
    names = [step.name for step in CAMERA_STEPS]
    assert list(decoder.last_steps[1:]) == names[-1:] + names[:-1]


def test_empty_frame_gives_nothing():
    assert FrameDecoder().decode(np.zeros((0, 0, 3), np.uint8)) == []
    assert FrameDecoder().decode(None) == []


def test_zbar_reading_of_utf8_chinese_is_not_shift_jis_mojibake():
    """Given a UTF-8 Chinese QR code that only zbar reads on the downscaled frame (zbar guesses
    Shift-JIS for it), when read by zbar, then the text is the Chinese that was encoded."""
    gray = downscale(to_gray(_qr_frame("取号 A023")), FAST_SIDE)
    assert [c.text for c in read_zbar(gray)] == ["取号 A023"]
    assert [c.text for c in FrameDecoder().decode(_qr_frame("预约码 B-7"))] == ["预约码 B-7"]
