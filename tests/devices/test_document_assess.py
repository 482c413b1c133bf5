"""Live capture guidance: each defect of a generated document photo gets its own verdict, the
page's corners are found where they are, and the straightened page is the page."""

from __future__ import annotations

from collections import Counter

import cv2
import numpy as np
import pytest

from drivers.camera.document import (
    VERDICT_MESSAGES,
    Assessment,
    DocumentChecks,
    Verdict,
    assess_frame,
    straighten,
)
from drivers.camera.sample_pages import (
    DEFECTS,
    WHOLE_PAGE,
    Shot,
    generated_set,
    photograph,
    render_page,
)
from kiosk.i18n import LOCALE_DIR, Translator

SEEDS = 20
DIAGONAL = float(np.hypot(1280, 720))


def _expected(defect: str | None) -> Verdict:
    return Verdict.OK if defect is None else Verdict(defect)


@pytest.fixture(scope="module")
def judged() -> list[tuple[Shot, Assessment]]:
    return [(shot, assess_frame(shot.frame)) for shot in generated_set(SEEDS, seed=1)]


@pytest.mark.parametrize("defect", DEFECTS)
def test_each_defect_gets_its_verdict(judged, defect):
    """Given 20 generated photos with ``defect`` (None: good ones), when assessed, then at least
    95 % get that defect's verdict — the others' are named in the failure."""
    got = Counter(a.verdict.value for s, a in judged if s.defect == defect)
    assert sum(got.values()) == SEEDS
    assert got[_expected(defect).value] >= 0.95 * SEEDS, dict(got)


@pytest.mark.parametrize("defect", sorted(WHOLE_PAGE, key=str))
def test_corners_within_two_percent_of_the_diagonal(judged, defect):
    """Given photos that show the whole page (good, or blurred, dark, shadowed…), when assessed,
    then the page is found and each corner lies within 2 % of the frame diagonal of the truth,
    in the order TL, TR, BR, BL."""
    errors = []
    for shot, a in judged:
        if shot.defect != defect:
            continue
        assert shot.corners is not None
        if a.corners is None:
            errors.append(float("inf"))
            continue
        assert a.page_found and a.corners.shape == (4, 2) and a.corners.dtype == np.float32
        errors.append(float(np.linalg.norm(a.corners - shot.corners, axis=1).max()) / DIAGONAL)
    within = sum(e <= 0.02 for e in errors)
    assert within >= 0.95 * len(errors), sorted(errors)[-3:]


def test_cut_off_beats_sharp_and_well_lit():
    """Given a sharp, well-lit page running off the frame's left edge, when assessed, then the
    verdict is CUT_OFF (never OK: part of its content is missing)."""
    page = render_page(5)
    shot = photograph(page, seed=3, defect=None)
    shifted = np.roll(shot.frame, -int(shot.corners[:, 0].min()) - 60, axis=1)
    shifted[:, -200:] = shifted[:, -201:-200]  # no wrapped-around page on the right
    a = assess_frame(shifted)
    assert a.verdict is Verdict.CUT_OFF and not a.ok and a.page_found


def test_messages_and_english():
    """Given every verdict, then it has a Chinese msgid and the msgid has English in the
    catalogue; each Assessment carries its verdict's msgid."""
    english = Translator(LOCALE_DIR).catalog("en")
    assert set(VERDICT_MESSAGES) == set(Verdict)
    for verdict, msgid in VERDICT_MESSAGES.items():
        assert msgid and english.get(msgid), verdict
    assert len(set(VERDICT_MESSAGES.values())) == len(Verdict)
    a = assess_frame(photograph(render_page(1), seed=1, defect="glare").frame)
    assert a.message == VERDICT_MESSAGES[a.verdict]


def test_good_page_straightened_is_the_page():
    """Given a good photo, when assessed and straightened, then the result is an upright
    portrait page that matches the printed one (correlation > 0.9), title at the top."""
    page = render_page(7)
    shot = photograph(page, seed=7)
    a = assess_frame(shot.frame)
    assert a.ok and a.corners is not None
    upright = straighten(shot.frame, a.corners)
    h, w = upright.shape[:2]
    assert h > w
    got = cv2.cvtColor(cv2.resize(upright, (210, 297), interpolation=cv2.INTER_AREA),
                       cv2.COLOR_BGR2GRAY).astype(np.float32)
    want = cv2.cvtColor(cv2.resize(page, (210, 297), interpolation=cv2.INTER_AREA),
                        cv2.COLOR_BGR2GRAY).astype(np.float32)
    assert np.corrcoef(got.ravel(), want.ravel())[0, 1] > 0.9
    assert got[20:30, 40:140].mean() < got[-20:-10, 10:60].mean()  # title dark, margin pale


def test_thresholds_are_the_checks():
    """Given a good photo, when assessed with a sharpness bar above anything a camera gives,
    then it is called blurred — the verdict follows DocumentChecks, not constants."""
    frame = photograph(render_page(2), seed=2).frame
    assert assess_frame(frame).ok
    strict = DocumentChecks(min_edge_ratio=50.0)
    assert assess_frame(frame, strict).verdict in (Verdict.BLUR, Verdict.MOTION)


@pytest.mark.parametrize("frame", [
    np.zeros((720, 1280, 3), np.uint8),
    np.full((720, 1280, 3), 255, np.uint8),
    np.full((720, 1280), 128, np.uint8),
    np.zeros((7, 5, 3), np.uint8),
])
def test_degenerate_frames_do_not_crash(frame):
    """Given black, white, flat gray and tiny frames, when assessed, then a verdict comes back
    without a page (dark, bright, or no page) and no exception."""
    a = assess_frame(frame)
    assert not a.page_found and a.corners is None
    assert a.verdict in (Verdict.DARK, Verdict.BRIGHT, Verdict.NO_PAGE)


def test_bgra_frame_reads_like_bgr():
    """Given the same photo as BGR and as BGRA (some V4L2 cameras), then the same verdict."""
    frame = photograph(render_page(4), seed=4).frame
    bgra = cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA)
    assert assess_frame(bgra).verdict is assess_frame(frame).verdict is Verdict.OK


@pytest.mark.parametrize("frame", [
    np.zeros((720, 1280, 3), np.float32),
    np.zeros((720, 1280, 2), np.uint8),
    np.zeros((0, 1280, 3), np.uint8),
    np.zeros(10, np.uint8),
])
def test_not_an_image_is_one_clear_error(frame):
    """Given arrays that are not 8-bit images, then ValueError naming the dtype and shape."""
    with pytest.raises(ValueError, match=r"8-bit gray, BGR or BGRA image; got .* of shape"):
        assess_frame(frame)
