"""Find a page's outline on a small grayscale copy of a camera frame, quickly and robustly.

``find_outline(small)`` works on a frame shrunk to ~320 px wide (a few milliseconds): the text is
closed away so the page is one light region, then two masks propose regions — Otsu's threshold
(a light page on a darker desk) and Canny edges (any desk, soft shadows ignored: their edges are
too gradual) — and each region's four-sided fit is scored by how much of its outline lies on a
sharp step in brightness. A region cut by the frame's border is reported as such, not as a page.
Must never look at the full-size frame, keep state between calls, or decide what the citizen is
told (``document.assess_frame`` does that).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_REGION = 0.02  # of the frame: smaller regions are specks, pens, fingers
MIN_SUPPORT = 0.6  # a sheet's outline is a sharp step nearly all the way round
BORDER = 2  # pixels of the small image: a region this close to the edge touches it


@dataclass(frozen=True)
class Outline:
    corners: np.ndarray | None  # 4×2 float32 TL, TR, BR, BL in small-image pixels
    area: float  # share of the frame inside the outline
    cut_off: bool  # the region runs into the frame's border
    support: float  # share of the outline (away from the border) on a sharp brightness step


def find_outline(small: np.ndarray) -> Outline | None:
    """The most page-like region of ``small`` (gray uint8), or ``None``."""
    h, w = small.shape[:2]
    # closing removes dark print on the light sheet (a few pixels at this scale)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    smooth = cv2.GaussianBlur(closed, (3, 3), 0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    grad = cv2.magnitude(gx, gy)
    # the step may sit a pixel either side of a fitted side: score with the strongest nearby
    ridge = cv2.dilate(grad, np.ones((3, 3), np.uint8))
    _, bright = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    edges = _edge_regions(smooth, grad)
    # a step is "sharp" against the frame's own texture and noise, whatever the exposure
    step = max(4.0, 4.0 * float(np.median(grad)))
    best: Outline | None = None
    best_score = 0.0
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            candidate = _judge(contour, ridge, step, w, h)
            if candidate is None or candidate.support < MIN_SUPPORT:
                continue
            score = candidate.support * np.sqrt(candidate.area)
            if score > best_score:
                best, best_score = candidate, score
    return best


def _edge_regions(smooth: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Filled regions enclosed by sharp edges; thresholds follow the frame's own gradients so a
    pale page on a pale desk still closes its outline."""
    strong = float(np.percentile(grad, 99))
    high = max(12.0, 0.35 * strong)
    edges = cv2.Canny(smooth, high / 2.5, high, L2gradient=True)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    # a page running off the frame is closed by the border, so it can be filled too
    edges[[0, -1], :] = 255
    edges[:, [0, -1]] = 255
    filled = np.zeros_like(edges)
    contours, hierarchy = cv2.findContours(edges, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return filled
    frame_area = edges.shape[0] * edges.shape[1]
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        # holes in the edge map are regions enclosed by edges; the biggest is the whole frame
        if parent >= 0 and MIN_REGION * frame_area <= cv2.contourArea(contour) < 0.9 * frame_area:
            cv2.drawContours(filled, [contour], -1, 255, -1)
    return cv2.dilate(filled, np.ones((3, 3), np.uint8))  # back over the edge line


def _judge(contour: np.ndarray, grad: np.ndarray, step: float, w: int,
           h: int) -> Outline | None:
    area = cv2.contourArea(contour)
    if area < MIN_REGION * w * h or area > 0.995 * w * h:
        return None
    hull = cv2.convexHull(contour)
    if area < 0.85 * cv2.contourArea(hull):
        return None  # ragged: a desk texture or a hand, not a sheet
    pts = contour.reshape(-1, 2)
    near = ((pts[:, 0] <= BORDER) | (pts[:, 0] >= w - 1 - BORDER)
            | (pts[:, 1] <= BORDER) | (pts[:, 1] >= h - 1 - BORDER))
    quad = _quad(hull)
    cut_off = bool(_border_length(pts, near) > 0.03 * cv2.arcLength(contour, True))
    if quad is None:
        if not cut_off:
            return None
        return Outline(None, area / (w * h), True, _support(hull.reshape(-1, 2), grad, step, w, h))
    if not cut_off and abs(cv2.contourArea(quad) - area) > 0.12 * area:
        return None
    corners = _ordered(quad.reshape(4, 2).astype(np.float32))
    return Outline(corners, area / (w * h), cut_off, _support(corners, grad, step, w, h))


def _quad(hull: np.ndarray) -> np.ndarray | None:
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.045, 0.06):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return approx
        if len(approx) < 4:
            return None
    return None


def _border_length(pts: np.ndarray, near: np.ndarray) -> float:
    """Length of the contour that runs along the frame's border."""
    if not near.any():
        return 0.0
    nxt = np.roll(pts, -1, axis=0)
    both = near & np.roll(near, -1)
    return float(np.linalg.norm((nxt - pts)[both], axis=1).sum())


def _support(poly: np.ndarray, grad: np.ndarray, step: float, w: int, h: int) -> float:
    """Share of points along the polygon (away from the frame border) on a brightness step."""
    pts = poly.astype(np.float32)
    samples = []
    for a, b in zip(pts, np.roll(pts, -1, axis=0), strict=True):
        n = max(2, int(np.linalg.norm(b - a)))
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        samples.append(a + t * (b - a))
    s = np.concatenate(samples)
    inside = ((s[:, 0] > BORDER + 1) & (s[:, 0] < w - 2 - BORDER)
              & (s[:, 1] > BORDER + 1) & (s[:, 1] < h - 2 - BORDER))
    s = s[inside]
    if len(s) == 0:
        return 0.0
    values = grad[s[:, 1].round().astype(int), s[:, 0].round().astype(int)]
    return float(np.count_nonzero(values >= step)) / len(values)


def _ordered(points: np.ndarray) -> np.ndarray:
    """TL, TR, BR, BL by the sums and differences of the coordinates."""
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(s)], points[np.argmin(d)],
                     points[np.argmax(s)], points[np.argmax(d)]], dtype=np.float32)


def refine_corners(gray: np.ndarray, corners: np.ndarray, radius: float) -> np.ndarray:
    """``corners`` (TL, TR, BR, BL in ``gray``'s pixels, found on a shrunk copy) moved onto the
    page's edges at full resolution: each side's edge is searched within ``radius`` pixels
    across it, a line is fitted through what was found, and neighbouring lines are intersected.
    A side whose edge cannot be found keeps its coarse position."""
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        lines.append(_edge_line(gray, a, b, radius) or _line_through(a, b))
    refined = []
    for i in range(4):
        point = _intersect(lines[i - 1], lines[i])
        if point is None or float(np.linalg.norm(point - corners[i])) > 2 * radius:
            point = corners[i]
        refined.append(point)
    return np.array(refined, np.float32)


_Line = tuple[np.ndarray, np.ndarray]  # a point on it and its unit direction


def _line_through(a: np.ndarray, b: np.ndarray) -> _Line:
    d = (b - a).astype(np.float64)
    return a.astype(np.float64), d / max(float(np.linalg.norm(d)), 1e-9)


def _edge_line(gray: np.ndarray, a: np.ndarray, b: np.ndarray, radius: float) -> _Line | None:
    direction = (b - a).astype(np.float32)
    length = float(np.linalg.norm(direction))
    if length < 8:
        return None
    direction /= length
    normal = np.float32([-direction[1], direction[0]])
    along = np.linspace(0.1, 0.9, 32, dtype=np.float32)  # away from the corners
    across = np.arange(-radius, radius + 1, dtype=np.float32)
    base = a + along[:, None] * (b - a)  # 32×2
    pts = base[:, None, :] + across[None, :, None] * normal  # 32×K×2
    profiles = cv2.remap(gray.astype(np.float32), pts[..., 0].copy(), pts[..., 1].copy(),
                         cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    profiles = cv2.GaussianBlur(profiles, (3, 1), 0)  # along each profile only
    step = np.abs(np.diff(profiles, axis=1))
    best = step.argmax(axis=1)
    strength = step[np.arange(len(best)), best]
    keep = strength >= max(4.0, 0.5 * float(np.median(strength)))
    offsets = across[best] + 0.5  # the step lies between two samples
    found = base + offsets[:, None] * normal
    h, w = gray.shape[:2]
    on_frame = ((found[:, 0] > 1) & (found[:, 0] < w - 2) & (found[:, 1] > 1)
                & (found[:, 1] < h - 2))
    keep &= on_frame
    if np.count_nonzero(keep) < 8:
        return None
    vx, vy, x0, y0 = cv2.fitLine(found[keep], cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)


def _intersect(first: _Line, second: _Line) -> np.ndarray | None:
    (p, r), (q, s) = first, second
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-6:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / cross
    return (p + t * r).astype(np.float32)
