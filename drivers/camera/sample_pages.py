"""Generated photographs of documents on a desk, for tests, the simulated camera and benches.

``render_page(seed)`` prints a page (title, paragraphs of "text" bars, a table, a round stamp);
``photograph(page, seed=…, defect=…)`` lays it on a textured desk under uneven light, seen by a
camera in perspective, with mild sensor noise, and with at most one named defect — the ones the
capture guidance must tell apart (``DEFECTS``). The true page corners come back with the frame,
so detection can be scored. Everything is deterministic in ``seed``. Must never read or write a
file, open a camera or touch the UI; it only draws (no CJK font: text is drawn as bars/latin).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

A4_SIZE = (840, 1188)  # width, height in pixels: 210 × 297 mm at 4 px/mm
DEFECTS: tuple[str | None, ...] = (None, "blur", "motion", "dark", "bright", "glare", "shadow",
                                   "low_contrast", "cut_off", "too_far", "no_page")
# the defects whose frame shows the whole page, so its true corners can be checked
WHOLE_PAGE: frozenset[str | None] = frozenset(
    {None, "blur", "motion", "dark", "glare", "shadow", "low_contrast", "too_far"})


@dataclass(frozen=True)
class Shot:
    frame: np.ndarray  # BGR uint8, frame_size
    corners: np.ndarray | None  # true page corners TL, TR, BR, BL (float32 4×2); None: no page
    defect: str | None


def render_page(seed: int, size: tuple[int, int] = A4_SIZE) -> np.ndarray:
    """A printed form: title, paragraphs of word bars, a ruled table, a red stamp (BGR)."""
    rng = np.random.default_rng(seed)
    w, h = size
    s = w / A4_SIZE[0]
    paper = int(rng.integers(226, 240))
    page = np.full((h, w, 3), paper, np.uint8)
    page[:, :, 0] = max(0, paper - int(rng.integers(0, 8)))  # a touch warm, as paper is
    ink = (35, 35, 35)
    cv2.putText(page, "APPLICATION FORM", (round(150 * s), round(105 * s)),
                cv2.FONT_HERSHEY_SIMPLEX, 1.5 * s, ink, max(1, round(4 * s)), cv2.LINE_AA)
    cv2.putText(page, f"No. {rng.integers(10**5, 10**6)}", (round(80 * s), round(160 * s)),
                cv2.FONT_HERSHEY_SIMPLEX, 0.8 * s, ink, max(1, round(2 * s)), cv2.LINE_AA)
    y = _paragraph(page, rng, round(200 * s), round(int(rng.integers(420, 520)) * s), s)
    y = _table(page, rng, y + round(30 * s), s)
    _paragraph(page, rng, y + round(40 * s), h - round(90 * s), s)
    _stamp(page, rng, s)
    return page


def _paragraph(page: np.ndarray, rng: np.random.Generator, top: int, bottom: int,
               s: float) -> int:
    w = page.shape[1]
    y = top
    while y < bottom:
        x = round(80 * s)
        end = w - round(80 * s) - int(rng.integers(0, round(250 * s) + 1))
        while x < end:
            word = int(rng.integers(round(25 * s), round(110 * s) + 1))
            cv2.rectangle(page, (x, y), (min(x + word, end), y + round(14 * s)), (50, 50, 50), -1)
            x += word + round(18 * s)
        y += round(42 * s)
    return y


def _table(page: np.ndarray, rng: np.random.Generator, top: int, s: float) -> int:
    w = page.shape[1]
    left, right = round(80 * s), w - round(80 * s)
    rows, cols = int(rng.integers(4, 7)), int(rng.integers(3, 5))
    row_h = round(48 * s)
    bottom = top + rows * row_h
    line = max(1, round(2 * s))
    for r in range(rows + 1):
        cv2.line(page, (left, top + r * row_h), (right, top + r * row_h), (40, 40, 40), line)
    xs = np.linspace(left, right, cols + 1).round().astype(int)
    for x in xs:
        cv2.line(page, (int(x), top), (int(x), bottom), (40, 40, 40), line)
    for r in range(rows):
        for c in range(cols):
            cell_w = int(xs[c + 1] - xs[c])
            bar = int(rng.integers(cell_w // 4, max(cell_w // 4 + 1, cell_w * 3 // 4)))
            y0 = top + r * row_h + round(17 * s)
            cv2.rectangle(page, (int(xs[c]) + round(12 * s), y0),
                          (int(xs[c]) + round(12 * s) + bar, y0 + round(13 * s)), (60, 60, 60), -1)
    return bottom


def _stamp(page: np.ndarray, rng: np.random.Generator, s: float) -> None:
    h, w = page.shape[:2]
    centre = (w - round(int(rng.integers(170, 260)) * s),
              h - round(int(rng.integers(170, 230)) * s))
    radius = round(95 * s)
    red = (40, 40, 200)
    cv2.circle(page, centre, radius, red, max(1, round(6 * s)), cv2.LINE_AA)
    cv2.circle(page, centre, round(radius * 0.78), red, max(1, round(2 * s)), cv2.LINE_AA)
    star = [(centre[0] + round(radius * 0.35 * np.cos(a)), centre[1] + round(radius * 0.35 *
            np.sin(a))) for a in np.linspace(-np.pi / 2, 3.5 * np.pi, 6)[:5]]
    cv2.fillPoly(page, [np.array([star[i] for i in (0, 2, 4, 1, 3)], np.int32)], red)


def photograph(page: np.ndarray, *, seed: int, defect: str | None = None,
               frame_size: tuple[int, int] = (1280, 720)) -> Shot:
    """``page`` on a desk as the kiosk camera sees it, with ``defect`` (one of ``DEFECTS``)."""
    if defect not in DEFECTS:
        raise ValueError(f"unknown defect {defect!r}; expected one of {DEFECTS}")
    rng = np.random.default_rng([seed, DEFECTS.index(defect)])
    fw, fh = frame_size
    pale = defect == "low_contrast"
    frame = _desk(rng, fw, fh, pale=pale)
    corners: np.ndarray | None = None
    if defect != "no_page":
        page = page.astype(np.float32)
        if pale:  # a white sheet on a pale desk: only just lighter than it
            page = page * (float(np.median(frame)) + rng.uniform(12, 24)) / float(page.max())
        corners = _placement(rng, page.shape[1], page.shape[0], fw, fh, defect)
        frame = _lay(frame, page, corners)
    else:
        _pen(frame, rng)
    light = _lighting(rng, fw, fh, flat=pale)
    frame *= light[:, :, None]
    if defect == "glare" and corners is not None:
        frame = _glare(frame, rng, corners)
    if defect == "shadow" and corners is not None:
        frame = _shadow(frame, rng, corners)
    if defect == "dark":
        frame *= rng.uniform(0.15, 0.3)
    if defect == "bright":
        frame = frame * rng.uniform(1.6, 2.1) + 20
    frame = cv2.GaussianBlur(frame, (0, 0), 0.7)  # the lens is never perfect
    if defect == "blur":
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(3.0, 6.0))
    if defect == "motion":
        frame = cv2.filter2D(frame, -1, _motion_kernel(rng))
    # sensor noise, mostly in luminance (one draw for the three channels keeps this quick)
    frame += (rng.standard_normal(frame.shape[:2], dtype=np.float32) * 2.5)[:, :, None]
    return Shot(np.clip(frame, 0, 255).astype(np.uint8), corners, defect)


def generated_set(n_per_kind: int, seed: int = 0) -> list[Shot]:
    """``n_per_kind`` shots of every defect (and good ones), each of a different page."""
    shots = []
    for kind in DEFECTS:
        for i in range(n_per_kind):
            s = seed * 100_003 + i
            shots.append(photograph(render_page(s), seed=s, defect=kind))
    return shots


# -- the scene ------------------------------------------------------------------------------
def _desk(rng: np.random.Generator, w: int, h: int, *, pale: bool) -> np.ndarray:
    if pale:
        level = rng.uniform(192, 212)
        base = np.array([level + rng.uniform(-4, 4) for _ in range(3)], np.float32)
        grain_amp = 4.0
    else:
        palettes = [(45, 75, 110), (95, 100, 105), (70, 55, 45), (60, 95, 135), (40, 40, 40)]
        base = np.array(palettes[int(rng.integers(len(palettes)))], np.float32)
        base *= rng.uniform(0.8, 1.15)
        grain_amp = 18.0
    # wood or laminate grain: noise stretched along one axis, then a finer speckle
    grain = rng.random((max(2, h // 24), max(2, w // 4))).astype(np.float32)
    grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_CUBIC)
    if rng.random() < 0.5:
        grain = cv2.resize(cv2.rotate(cv2.resize(grain, (h, w)), cv2.ROTATE_90_CLOCKWISE), (w, h))
    desk = np.empty((h, w, 3), np.float32)
    desk[:] = base
    desk += (grain[:, :, None] - 0.5) * grain_amp
    return desk


def _placement(rng: np.random.Generator, pw: int, ph: int, fw: int, fh: int,
               defect: str | None) -> np.ndarray:
    """Where the page's corners land: a portrait page, turned a little, seen from above-front."""
    if defect == "too_far":
        height = fh * rng.uniform(0.32, 0.45)
    elif defect == "cut_off":
        height = fh * rng.uniform(0.78, 1.0)
    else:
        height = fh * rng.uniform(0.74, 0.88)
    width = height * pw / ph
    half = np.array([[-width, -height], [width, -height], [width, height], [-width, height]],
                    np.float32) / 2
    tilt = rng.uniform(0.0, 0.08) * width  # the far edge looks shorter
    half[0, 0] += tilt
    half[1, 0] -= tilt
    half += rng.uniform(-0.015, 0.015, (4, 2)).astype(np.float32) * np.float32([width, height])
    angle = np.deg2rad(rng.uniform(-10, 10))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    quad = half @ rot.T
    margin = 0.04 * fh
    if defect != "cut_off":  # shrink a turned page until it fits, with the margin
        room = np.float32([fw, fh]) - 2 * margin
        quad *= min(1.0, float((room / (quad.max(axis=0) - quad.min(axis=0))).min()))
    lo = -quad.min(axis=0) + margin
    hi = np.float32([fw, fh]) - quad.max(axis=0) - margin
    if defect == "cut_off":
        # one side runs 8–30 % of the page's width or height past the frame
        side = int(rng.integers(4))
        centre = np.float32([rng.uniform(lo[0], max(lo[0], hi[0])),
                             rng.uniform(lo[1], max(lo[1], hi[1]))]) if (hi >= lo).all() \
            else np.float32([fw / 2, fh / 2])
        over = rng.uniform(0.08, 0.3)
        if side == 0:
            centre[0] = -quad[:, 0].min() - over * width
        elif side == 1:
            centre[0] = fw - quad[:, 0].max() + over * width
        elif side == 2:
            centre[1] = -quad[:, 1].min() - over * height
        else:
            centre[1] = fh - quad[:, 1].max() + over * height
    else:
        centre = np.float32([rng.uniform(lo[0], hi[0]), rng.uniform(lo[1], max(lo[1], hi[1]))])
    return (quad + centre).astype(np.float32)


def _lay(frame: np.ndarray, page: np.ndarray, corners: np.ndarray) -> np.ndarray:
    h, w = page.shape[:2]
    fh, fw = frame.shape[:2]
    src = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    m = cv2.getPerspectiveTransform(src, corners)
    warped = cv2.warpPerspective(page, m, (fw, fh), flags=cv2.INTER_LINEAR)
    # anti-aliased edge: the sheet covers a fraction of its border pixels
    alpha = cv2.warpPerspective(np.ones((h, w), np.float32), m, (fw, fh), flags=cv2.INTER_LINEAR)
    return frame * (1 - alpha[:, :, None]) + warped * alpha[:, :, None]


def _lighting(rng: np.random.Generator, w: int, h: int, *, flat: bool) -> np.ndarray:
    """Ceiling light: brighter on one side, by a few percent."""
    span = (0.98, 1.02) if flat else (rng.uniform(0.88, 0.95), rng.uniform(0.99, 1.03))
    angle = rng.uniform(0, 2 * np.pi)
    # a linear ramp: computed on a coarse grid and stretched, which is exact for a plane
    gh, gw = max(2, h // 8), max(2, w // 8)
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
    ramp = (xs - gw / 2) * np.cos(angle) + (ys - gh / 2) * np.sin(angle)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    light = (span[0] + (span[1] - span[0]) * ramp).astype(np.float32)
    return cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR)


def _glare(frame: np.ndarray, rng: np.random.Generator, corners: np.ndarray) -> np.ndarray:
    """A ceiling lamp reflected on glossy paper: a blown-out spot somewhere on the page."""
    h, w = frame.shape[:2]
    a, b = rng.uniform(0.25, 0.75, 2)
    top = corners[0] + a * (corners[1] - corners[0])
    bottom = corners[3] + a * (corners[2] - corners[3])
    centre = top + b * (bottom - top)
    page_w = float(np.linalg.norm(corners[1] - corners[0]))
    radius = page_w * rng.uniform(0.09, 0.15)
    spot = np.zeros((h, w), np.float32)
    cv2.ellipse(spot, (round(float(centre[0])), round(float(centre[1]))),
                (round(radius * 1.4), round(radius)), float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
    spot = cv2.GaussianBlur(spot, (0, 0), radius * 0.25)
    return frame + spot[:, :, None] * 320


def _shadow(frame: np.ndarray, rng: np.random.Generator, corners: np.ndarray) -> np.ndarray:
    """A person's shadow: a soft-edged dark band across part of the page (and the desk)."""
    h, w = frame.shape[:2]
    centre = corners.mean(axis=0)
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.float32([np.cos(angle), np.sin(angle)])
    extent = float(np.abs((corners - centre) @ normal).max())
    # the band's edge crosses the page between 35 % and 65 % of the way along the normal
    edge = rng.uniform(-0.3, 0.3) * extent
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    along = (xs - centre[0]) * normal[0] + (ys - centre[1]) * normal[1]
    softness = rng.uniform(12, 30)
    inside = 1 / (1 + np.exp(-(along - edge) / softness))
    depth = rng.uniform(0.4, 0.6)  # the shadowed part keeps 40–60 % of the light
    return frame * (1 - depth * inside)[:, :, None].astype(np.float32)


def _pen(frame: np.ndarray, rng: np.random.Generator) -> None:
    h, w = frame.shape[:2]
    x, y = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    angle = rng.uniform(0, np.pi)
    length = rng.uniform(0.15, 0.25) * w
    dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
    cv2.line(frame, (round(x - dx), round(y - dy)), (round(x + dx), round(y + dy)),
             (30.0, 30.0, 140.0), 9, cv2.LINE_AA)


def _motion_kernel(rng: np.random.Generator) -> np.ndarray:
    """The page moved while the shutter was open: a straight streak 22–40 px long."""
    length = int(rng.integers(22, 41))
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    angle = rng.uniform(0, np.pi)
    dx, dy = np.cos(angle) * c, np.sin(angle) * c
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1,
             cv2.LINE_AA)
    return k / k.sum()
