"""Photograph a material (an A4 page, a certificate) for a case: find it, straighten it, check it.

``capture_document(frame)`` finds the page outline (the largest four-cornered contour), corrects
the perspective to an upright page, and rejects photos the back office could not read — blurred
(variance of the Laplacian), too dark, too bright, or with glare — by raising ``CaptureRejected``
whose ``message_zh`` tells the citizen what to do. ``save_compressed`` stores the page as JPEG
(or PNG) for the submission. Pure image work: must never open a camera, a file other than the
one it is told to write, or the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from drivers.base import DeviceError
from drivers.camera.base import CaptureRejected

# Sharpness is measured on the page resized to this width, so the threshold does not depend on
# the camera's resolution or how much of the frame the page fills.
SHARPNESS_WIDTH = 800


@dataclass(frozen=True)
class DocumentChecks:
    min_sharpness: float = 100.0  # variance of the Laplacian at SHARPNESS_WIDTH
    min_frame_brightness: float = 45.0  # mean gray of the whole frame: below, nothing to find
    min_page_brightness: float = 100.0  # a white page reads ~150–240 in a lit hall
    max_page_brightness: float = 250.0  # washed out: text lost
    max_glare_fraction: float = 0.02  # share of the page at saturation (>= 250)
    min_page_area: float = 0.15  # of the frame: smaller is a card or a hand, not a page


@dataclass(frozen=True)
class DocumentPhoto:
    image: np.ndarray  # upright page, BGR uint8
    corners: np.ndarray  # 4×2 float32, page corners in the frame: TL, TR, BR, BL
    sharpness: float
    brightness: float


def reject(reason: str, message_zh: str) -> CaptureRejected:
    return CaptureRejected(f"document photo rejected: {reason}", message_zh)


def capture_document(frame: np.ndarray, checks: DocumentChecks | None = None) -> DocumentPhoto:
    """The upright page in ``frame`` (BGR), or ``CaptureRejected`` saying what to fix."""
    checks = checks or DocumentChecks()
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    if float(gray.mean()) < checks.min_frame_brightness:
        raise reject(f"frame too dark (mean {gray.mean():.0f})", "光线太暗，请在明亮处重拍")
    corners = find_page(gray, min_area=checks.min_page_area)
    if corners is None:
        raise reject("no page outline found", "未找到材料边缘，请将材料平放并完整放入取景框内")
    page = warp_page(frame, corners)
    page_gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    brightness = float(page_gray.mean())
    if brightness < checks.min_page_brightness:
        raise reject(f"page too dark (mean {brightness:.0f})", "光线太暗，请在明亮处重拍")
    glare = float(np.count_nonzero(page_gray >= 250)) / page_gray.size
    if brightness > checks.max_page_brightness or glare > 0.5:
        raise reject(f"page overexposed (mean {brightness:.0f}, {glare:.0%} saturated)",
                     "照片过亮，请避开强光后重拍")
    if glare > checks.max_glare_fraction:
        raise reject(f"glare on {glare:.1%} of the page",
                     "材料有反光，请调整角度避开灯光后重拍")
    sharpness = measure_sharpness(page_gray)
    if sharpness < checks.min_sharpness:
        raise reject(f"blurred (sharpness {sharpness:.0f} < {checks.min_sharpness:.0f})",
                     "照片模糊，请保持材料平稳后重拍")
    return DocumentPhoto(page, corners, sharpness, brightness)


def measure_sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian at a fixed width: high for crisp text, low for a blur."""
    h, w = gray.shape[:2]
    if w != SHARPNESS_WIDTH:
        gray = cv2.resize(gray, (SHARPNESS_WIDTH, max(1, round(h * SHARPNESS_WIDTH / w))),
                          interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def find_page(gray: np.ndarray, *, min_area: float = 0.15) -> np.ndarray | None:
    """Corners (TL, TR, BR, BL) of the largest four-cornered outline, or ``None``.

    Tries a global (Otsu) threshold first — a light page on a darker desk, the kiosk's usual
    view — then edges (Canny), which also work when the desk is light.
    """
    frame_area = gray.shape[0] * gray.shape[1]
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    edges = cv2.dilate(cv2.Canny(blurred, 50, 150), np.ones((3, 3), np.uint8))
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            if cv2.contourArea(contour) < min_area * frame_area:
                break
            approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
            if len(approx) == 4 and cv2.isContourConvex(approx):
                return order_corners(approx.reshape(4, 2).astype(np.float32))
    return None


def order_corners(points: np.ndarray) -> np.ndarray:
    """TL, TR, BR, BL: the page is upright when it lies within ±45° of the camera's axes."""
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()  # y - x
    return np.array([points[np.argmin(s)], points[np.argmin(d)],
                     points[np.argmax(s)], points[np.argmax(d)]], dtype=np.float32)


def warp_page(frame: np.ndarray, corners: np.ndarray) -> np.ndarray:
    tl, tr, br, bl = corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)
    m = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(frame, m, (width, height), flags=cv2.INTER_LINEAR)


def save_compressed(photo: DocumentPhoto | np.ndarray, path: str | Path, *,
                    quality: int = 85) -> int:
    """Write the page as JPEG (``quality`` 1–100) or PNG by ``path``'s suffix; returns bytes.

    Encodes in memory and writes with Python so paths with Chinese characters work.
    """
    image = photo.image if isinstance(photo, DocumentPhoto) else photo
    p = Path(path)
    if p.suffix.lower() == ".png":
        ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    else:
        if not 1 <= quality <= 100:
            raise ValueError("JPEG quality must be between 1 and 100")
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise DeviceError(f"could not encode the photo for {p}", "照片保存失败")
    try:
        p.write_bytes(data.tobytes())
    except OSError as exc:
        raise DeviceError(f"could not write the photo to {p}: {exc}", "照片保存失败") from exc
    return len(data)
