"""Document capture: find the page, straighten it, reject blurred and badly exposed photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.camera.base import CaptureRejected
from drivers.camera.document import (
    DocumentPhoto,
    capture_document,
    measure_sharpness,
    order_corners,
    save_compressed,
)
from drivers.camera.simulated import SimulatedCamera
from drivers.scanner.decode import decode_image

PAGE_W, PAGE_H = 420, 594  # A4 proportions


def _flat_page() -> np.ndarray:
    """A page whose content shows orientation: a title bar at the top, a grid of text bars,
    and a black square in the bottom-right corner."""
    page = np.full((PAGE_H, PAGE_W, 3), 225, np.uint8)
    cv2.rectangle(page, (40, 30), (380, 70), (30, 30, 30), -1)
    for y in range(110, 500, 36):
        for x in range(40, 360, 80):
            cv2.rectangle(page, (x, y), (x + 60, y + 12), (60, 60, 60), -1)
    cv2.rectangle(page, (330, 520), (380, 570), (0, 0, 0), -1)
    return page


def _photographed(page: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The page warped onto a dark desk at ``corners`` (TL, TR, BR, BL) in a 1280×720 frame."""
    h, w = page.shape[:2]
    src = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    m = cv2.getPerspectiveTransform(src, corners)
    frame = np.full((720, 1280, 3), (40, 60, 90), np.uint8)
    warped = cv2.warpPerspective(page, m, (1280, 720))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (1280, 720))
    frame[mask > 0] = warped[mask > 0]
    return frame


CORNERS = np.float32([[520, 60], [880, 110], [900, 690], [430, 640]])  # tilted, foreshortened


def test_warped_page_is_corrected():
    """Given a page photographed tilted and in perspective, when captured, then the corners
    found are the page's, and the straightened page matches the flat original."""
    page = _flat_page()
    photo = capture_document(_photographed(page, CORNERS))
    assert np.abs(photo.corners - CORNERS).max() < 6
    straight = cv2.resize(photo.image, (PAGE_W, PAGE_H))
    a = cv2.cvtColor(straight, cv2.COLOR_BGR2GRAY).astype(np.float32)
    b = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY).astype(np.float32)
    correlation = np.corrcoef(a.ravel(), b.ravel())[0, 1]
    assert correlation > 0.9
    # upright: the title bar is at the top, the black square bottom-right
    assert a[40:60, 60:360].mean() < 90
    assert a[530:560, 340:370].mean() < 60
    assert photo.sharpness >= 100 and 150 < photo.brightness < 240


def test_corner_order_is_tl_tr_br_bl():
    """Given corners in any order, when ordered, then TL, TR, BR, BL."""
    shuffled = CORNERS[[2, 0, 3, 1]]
    assert np.array_equal(order_corners(shuffled), CORNERS)


def test_blurred_frame_rejected_with_blur_reason():
    """Given a well-lit page photographed out of focus, when captured, then CaptureRejected says
    it is blurred and tells the citizen to hold the material still."""
    frame = cv2.GaussianBlur(_photographed(_flat_page(), CORNERS), (0, 0), 6)
    with pytest.raises(CaptureRejected, match="blurred") as info:
        capture_document(frame)
    assert info.value.message_zh == "照片模糊，请保持材料平稳后重拍"


def test_dark_frame_rejected():
    """Given a frame at a fifth of normal exposure, when captured, then rejected as too dark."""
    frame = cv2.convertScaleAbs(_photographed(_flat_page(), CORNERS), alpha=0.2)
    with pytest.raises(CaptureRejected, match="dark") as info:
        capture_document(frame)
    assert info.value.message_zh == "光线太暗，请在明亮处重拍"


@pytest.mark.parametrize(("scene", "reason", "message_zh"), [
    ({"glare": True}, "glare", "材料有反光，请调整角度避开灯光后重拍"),
    ({"brightness": 1.8}, "overexposed", "照片过亮，请避开强光后重拍"),
    ({"brightness": 0.45}, "dark", "光线太暗，请在明亮处重拍"),
    ({"blur": 21}, "blurred", "照片模糊，请保持材料平稳后重拍"),
    ({"page": False}, "no page", "未找到材料边缘，请将材料平放并完整放入取景框内"),
])
def test_simulated_bad_photos_rejected(scene, reason, message_zh):
    """Given the simulated camera set to a bad scene, when captured, then the right reason."""
    camera = SimulatedCamera()
    camera.open()
    camera.set_scene(**scene)
    with pytest.raises(CaptureRejected, match=reason) as info:
        capture_document(camera.latest_frame())
    assert info.value.message_zh == message_zh


def test_simulated_page_accepted_and_its_qr_decodes():
    """Given the simulated desk with a page carrying a QR code, when captured, then the page is
    accepted, upright (portrait) and its QR code decodes from the straightened page."""
    camera = SimulatedCamera()
    camera.open()
    camera.show_qr("材料编号 M-2024-0042")
    photo = capture_document(camera.latest_frame())
    h, w = photo.image.shape[:2]
    assert h > w
    assert [c.text for c in decode_image(photo.image)] == ["材料编号 M-2024-0042"]


def test_sharpness_falls_with_blur():
    """Given the same page sharp and blurred, when measured, then blur lowers the figure."""
    gray = cv2.cvtColor(_flat_page(), cv2.COLOR_BGR2GRAY)
    assert measure_sharpness(gray) > 5 * measure_sharpness(cv2.GaussianBlur(gray, (0, 0), 4))


def test_save_compressed_jpeg_quality_and_png(tmp_path):
    """Given a captured page, when saved as JPEG at quality 30 and 95 and as PNG (to a path with
    Chinese characters), then files decode back to the page size and lower quality is smaller."""
    photo = capture_document(_photographed(_flat_page(), CORNERS))
    assert isinstance(photo, DocumentPhoto)
    low = save_compressed(photo, tmp_path / "材料-低.jpg", quality=30)
    high = save_compressed(photo, tmp_path / "材料-高.jpg", quality=95)
    png = save_compressed(photo, tmp_path / "材料.png")
    assert low < high
    for name, size in (("材料-低.jpg", low), ("材料-高.jpg", high), ("材料.png", png)):
        data = (tmp_path / name).read_bytes()
        assert len(data) == size
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert image.shape == photo.image.shape
    with pytest.raises(ValueError):
        save_compressed(photo, tmp_path / "x.jpg", quality=0)
