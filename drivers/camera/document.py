"""Photograph a material (an A4 page, a certificate) for a case: find it, straighten it, check it.

Two ways in. ``assess_frame(frame)`` is the live guidance on the capture preview: it finds the
page outline on a downscaled copy of each frame (fast enough for a 15 fps preview on one core)
and names the one thing to fix — ``Verdict`` (no page, cut off by the frame edge, too far,
blurred, moved, too dark, too bright, glare, a shadow across it, too pale against the desk) with
a msgid for the citizen — or OK; ``straighten`` then corrects the perspective of the frame it
accepted. ``capture_document(frame)`` is the older one-shot check that raises ``CaptureRejected``
(the snapshot command uses it). ``save_compressed`` stores the page as JPEG (or PNG).
Pure image work: must never open a camera, a file other than the one it is told to write, or
the UI, and never keeps state between frames (steadiness is ``steady.SteadyCapture``'s job).
"""

from __future__ import annotations

import enum
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
    # -- live guidance (assess_frame) only --
    min_edge_ratio: float = 3.0  # fine/coarse edge energy, weakest direction (edge_sharpness)
    motion_ratio: float = 1.2  # sharpest / least sharp direction above this: the page moved
    shadow_ratio: float = 0.72  # darkest / brightest paper tile below this: a shadow
    min_page_contrast: float = 0.16  # (paper - desk) / paper below this: too pale to frame
    min_paper_brightness: float = 120.0  # the paper itself (print closed away), brightest part
    dark_empty_frame: float = 25.0  # no page found and the frame darker than this: "too dark"
    glare_spot: float = 0.004  # share of the page blown out (>= 250) that is a glare spot


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


# -- live guidance -------------------------------------------------------------------------------
class Verdict(enum.StrEnum):
    """The one thing the citizen should fix in this frame, or OK."""

    OK = "ok"
    NO_PAGE = "no_page"
    CUT_OFF = "cut_off"  # the page runs off the frame's edge: its content would be lost
    TOO_FAR = "too_far"
    BLUR = "blur"  # out of focus: blurred the same in every direction
    MOTION = "motion"  # moved during the exposure: blurred along one direction
    DARK = "dark"
    BRIGHT = "bright"
    GLARE = "glare"
    SHADOW = "shadow"  # a dark band across part of a well-lit page
    LOW_CONTRAST = "low_contrast"  # a pale page on a pale desk
    HOLD_STILL = "hold_still"  # a good page still moving: never from assess_frame, see steady.py


# msgids (Chinese) the capture screen shows through tr(); English in config/locale/en/docscan.po.
# Named *_ZH so the drivers' message extraction (kiosk.i18n_extract) finds them.
OK_ZH = "位置合适，正在拍照"
NO_PAGE_ZH = "请将材料平放在取景框内"
CUT_OFF_ZH = "材料超出画面，请将整页放入取景框内"
TOO_FAR_ZH = "材料太小，请将材料移近摄像头"
BLUR_ZH = "画面模糊，请将材料平放在台面上"
MOTION_ZH = "材料在移动，请保持不动"
DARK_ZH = "光线太暗，请移到明亮处"
BRIGHT_ZH = "画面过亮，请避开强光"
GLARE_ZH = "材料有反光，请调整角度避开灯光"
SHADOW_ZH = "材料上有阴影，请不要遮挡光线"
LOW_CONTRAST_ZH = "材料与台面颜色太接近，请换一个深色台面"
HOLD_STILL_ZH = "请保持不动"

VERDICT_MESSAGES: dict[Verdict, str] = {
    Verdict.OK: OK_ZH,
    Verdict.NO_PAGE: NO_PAGE_ZH,
    Verdict.CUT_OFF: CUT_OFF_ZH,
    Verdict.TOO_FAR: TOO_FAR_ZH,
    Verdict.BLUR: BLUR_ZH,
    Verdict.MOTION: MOTION_ZH,
    Verdict.DARK: DARK_ZH,
    Verdict.BRIGHT: BRIGHT_ZH,
    Verdict.GLARE: GLARE_ZH,
    Verdict.SHADOW: SHADOW_ZH,
    Verdict.LOW_CONTRAST: LOW_CONTRAST_ZH,
    Verdict.HOLD_STILL: HOLD_STILL_ZH,
}

SMALL_WIDTH = 320  # the page is found on the frame shrunk to this width
PAGE_CHECK_WIDTH = 400  # exposure and sharpness are measured on the page warped to this width


@dataclass(frozen=True)
class Assessment:
    page_found: bool
    corners: np.ndarray | None  # 4×2 float32 in frame pixels, TL, TR, BR, BL (clockwise)
    verdict: Verdict
    message: str  # msgid (Chinese) telling the citizen what to do
    sharpness: float  # edge_sharpness in the weakest direction: ~4+ crisp (0: not measured)
    brightness: float  # mean gray of the page (of the frame when no page was found)
    frame_size: tuple[int, int] | None = None  # (width, height) of the assessed frame

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK


def _verdict(verdict: Verdict, size: tuple[int, int], corners: np.ndarray | None = None, *,
             sharpness: float = 0.0, brightness: float = 0.0) -> Assessment:
    return Assessment(corners is not None, corners, verdict, VERDICT_MESSAGES[verdict],
                      sharpness, brightness, size)


def assess_frame(frame: np.ndarray, checks: DocumentChecks | None = None) -> Assessment:
    """What the capture preview should say about ``frame`` (BGR or gray uint8).

    The checks run in an order that tells defects apart: whether a page is there and whole
    (cut off beats everything, even when sharp), its size, then exposure — overexposed, a
    blown-out spot, dark all over, dark in a band (shadow) — then contrast against the desk, and
    sharpness last, which is only meaningful on a well-exposed page."""
    from drivers.camera.outline import find_outline, refine_corners

    checks = checks or DocumentChecks()
    gray = _gray(frame)
    h, w = gray.shape[:2]
    size = (w, h)
    scale = w / SMALL_WIDTH
    small = cv2.resize(gray, (SMALL_WIDTH, max(1, round(h / scale))), interpolation=cv2.INTER_AREA)
    frame_mean = float(small.mean())
    outline = find_outline(small)
    if outline is None:
        # a black desk with nothing on it is empty, not dark: only a near-black frame is dark
        if frame_mean < checks.dark_empty_frame:
            return _verdict(Verdict.DARK, size, brightness=frame_mean)
        if float(np.count_nonzero(small >= 250)) > 0.3 * small.size:
            return _verdict(Verdict.BRIGHT, size, brightness=frame_mean)
        return _verdict(Verdict.NO_PAGE, size, brightness=frame_mean)
    if outline.corners is None or outline.cut_off:
        corners = None if outline.corners is None else outline.corners * np.float32(scale)
        return Assessment(True, corners, Verdict.CUT_OFF, CUT_OFF_ZH, 0.0, frame_mean, size)
    corners = refine_corners(gray, outline.corners * np.float32(scale), 1.5 * scale)
    if outline.area < checks.min_page_area:
        return _verdict(Verdict.TOO_FAR, size, corners, brightness=frame_mean)
    return _judge_page(gray, small, corners, scale, checks)


def _gray(frame: np.ndarray) -> np.ndarray:
    channels = frame.shape[2] if frame.ndim == 3 else 1
    if (frame.dtype != np.uint8 or frame.ndim not in (2, 3) or channels not in (1, 3, 4)
            or frame.size == 0):
        raise ValueError(f"a camera frame must be an 8-bit gray, BGR or BGRA image; got "
                         f"{frame.dtype} of shape {frame.shape}")
    if channels == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if channels == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return frame.reshape(frame.shape[:2])


def _judge_page(gray: np.ndarray, small: np.ndarray, corners: np.ndarray, scale: float,
                checks: DocumentChecks) -> Assessment:
    size = (gray.shape[1], gray.shape[0])
    page = _warp_to_width(gray, corners, PAGE_CHECK_WIDTH)
    smooth = cv2.GaussianBlur(page, (3, 3), 0)  # sensor noise is not glare
    brightness = float(page.mean())
    saturated = float(np.count_nonzero(smooth >= 250)) / smooth.size
    if saturated > 0.4 or brightness > checks.max_page_brightness:
        return _verdict(Verdict.BRIGHT, size, corners, brightness=brightness)
    if saturated > checks.glare_spot:
        return _verdict(Verdict.GLARE, size, corners, brightness=brightness)
    tiles = paper_tiles(page)
    if float(tiles.max()) < checks.min_paper_brightness:
        return _verdict(Verdict.DARK, size, corners, brightness=brightness)
    if float(tiles.min()) < checks.shadow_ratio * float(tiles.max()):
        return _verdict(Verdict.SHADOW, size, corners, brightness=brightness)
    paper = float(np.median(tiles))
    desk = _desk_level(small, corners / np.float32(scale))
    if paper <= 0 or (paper - desk) / paper < checks.min_page_contrast:
        return _verdict(Verdict.LOW_CONTRAST, size, corners, brightness=brightness)
    weakest, strongest = edge_sharpness(page)
    if weakest < checks.min_edge_ratio:
        moved = strongest > checks.motion_ratio * max(weakest, 1e-6)
        return _verdict(Verdict.MOTION if moved else Verdict.BLUR, size, corners,
                        sharpness=weakest, brightness=brightness)
    return _verdict(Verdict.OK, size, corners, sharpness=weakest, brightness=brightness)


def _warp_to_width(gray: np.ndarray, corners: np.ndarray, width: int) -> np.ndarray:
    tl, tr, br, bl = corners
    page_w = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl), 1.0)
    page_h = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr), 1.0)
    height = max(1, round(width * page_h / page_w))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)
    m = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(gray, m, (width, height), flags=cv2.INTER_LINEAR)


def paper_tiles(page: np.ndarray, grid: tuple[int, int] = (4, 6)) -> np.ndarray:
    """The paper's own brightness (print closed away) averaged over a grid of tiles, inset from
    the edges so the desk never counts."""
    h, w = page.shape[:2]
    inset = page[h // 20:h - h // 20, w // 20:w - w // 20]
    paper = cv2.morphologyEx(inset, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    return cv2.resize(paper, grid, interpolation=cv2.INTER_AREA).astype(np.float32)


def _desk_level(small: np.ndarray, corners: np.ndarray) -> float:
    """Median gray of a band of desk just outside the page."""
    h, w = small.shape[:2]
    page = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(page, corners.round().astype(np.int32), 255)
    outer = cv2.dilate(page, np.ones((15, 15), np.uint8))
    inner = cv2.dilate(page, np.ones((5, 5), np.uint8))
    band = small[(outer > 0) & (inner == 0)]
    return float(np.median(band)) if band.size else 0.0


def edge_sharpness(page: np.ndarray) -> tuple[float, float]:
    """How much sharper the page's edges are at a fine scale than at a 4× coarser one, in its
    least and most sharp directions: ~4 and more for crisp print, ~1–2 for a blur.

    Gradient energy of a step falls with the scale it is measured at; of a blurred ramp it does
    not. Comparing the two scales cancels out how much print the page has and how bright it is,
    and comparing them per direction (the generalised eigenvalues of the two gradient tensors)
    tells a page that moved — blurred along one direction only — from one out of focus."""
    p = cv2.GaussianBlur(page, (3, 3), 0).astype(np.float32)
    fine = _gradient_tensor(p, 1)
    coarse = _gradient_tensor(p, 4)
    if np.trace(coarse) <= 1e-6 or np.linalg.det(coarse) <= 1e-12:
        return 0.0, 0.0  # a blank, even page: nothing to measure
    lower = np.linalg.cholesky(coarse)
    inv = np.linalg.inv(lower)
    low, high = np.linalg.eigvalsh(inv @ fine @ inv.T)
    return float(low), float(high)


def _gradient_tensor(p: np.ndarray, factor: int) -> np.ndarray:
    if factor > 1:
        p = cv2.resize(p, (p.shape[1] // factor, p.shape[0] // factor),
                       interpolation=cv2.INTER_AREA)
    # Sobel's 3×3 kernel sums 8× the slope; per frame pixel at this scale
    gx = cv2.Sobel(p, cv2.CV_32F, 1, 0, ksize=3) / (8 * factor)
    gy = cv2.Sobel(p, cv2.CV_32F, 0, 1, ksize=3) / (8 * factor)
    xy = float(np.mean(gx * gy))
    return np.array([[float(np.mean(gx * gx)), xy], [xy, float(np.mean(gy * gy))]])


def straighten(frame: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The page at ``corners`` (TL, TR, BR, BL in frame pixels) warped upright, at about the
    resolution it has in the frame."""
    return warp_page(frame, order_corners(np.asarray(corners, np.float32)))
