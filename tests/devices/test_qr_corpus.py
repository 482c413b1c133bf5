"""Our decoder on real QR photographs: at least everything pyzbar or zxing-cpp reads alone.

The corpus (ZXing's black-box sets qrcode-1/2/3) lives beside the clone, in
``../shared/testdata/qr-photos``: ``N.png`` with the expected text in ``N.txt``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.scanner.decode import decode_image, load_image, read_zbar, read_zxing, to_gray
from drivers.scanner.frame_decoder import FrameDecoder

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "testdata" / "qr-photos"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"QR photo corpus not found at {CORPUS} (shared/ beside the clone)")


def _expected() -> list[tuple[Path, str]]:
    if not CORPUS.is_dir():
        return []
    return [(png, png.with_suffix(".txt").read_bytes().decode("utf-8"))
            for png in sorted(CORPUS.glob("*/*.png")) if png.with_suffix(".txt").exists()]


@cache
def _alone(path: Path) -> tuple[bool, bool]:
    """(pyzbar alone, zxing-cpp alone) read the expected text: grayscale, 0°, no processing."""
    expected = path.with_suffix(".txt").read_bytes().decode("utf-8")
    gray = to_gray(load_image(path))
    return (expected in [c.text for c in read_zbar(gray)],
            expected in [c.text for c in read_zxing(gray)])


def _union() -> list[tuple[Path, str]]:
    return [(path, text) for path, text in _expected() if any(_alone(path))]


def _id(item: tuple[Path, str]) -> str:
    return f"{item[0].parent.name}/{item[0].name}"


@pytest.mark.parametrize("item", _union(), ids=_id)
def test_decodes_what_either_library_decodes(item):
    """Given a photo that pyzbar or zxing-cpp alone reads, when we decode it, then the
    expected text is among our results."""
    path, expected = item
    assert expected in [c.text for c in decode_image(load_image(path))]


@pytest.mark.parametrize("rotation", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180,
                                      cv2.ROTATE_90_COUNTERCLOCKWISE], ids=["90", "180", "270"])
def test_decodes_the_union_at_every_rotation(rotation):
    """Given every photo of the union set turned by 90/180/270°, when decoded, then each still
    gives its expected text."""
    missed = [_id((path, text)) for path, text in _union()
              if text not in [c.text for c in decode_image(cv2.rotate(load_image(path), rotation))]]
    assert missed == []


def test_count_at_least_the_union():
    """Given the whole corpus, when decoded, then we read at least as many photos as the union
    of the two libraries alone (and more than either alone)."""
    expected = _expected()
    ours = sum(text in [c.text for c in decode_image(load_image(path))] for path, text in expected)
    union = len(_union())
    zbar = sum(_alone(path)[0] for path, _ in expected)
    zxing = sum(_alone(path)[1] for path, _ in expected)
    assert union >= max(zbar, zxing) > 0
    assert ours >= union


def test_no_code_in_a_blank_picture():
    """Given a photo of nothing (the desk texture of a corpus image blurred away), when decoded,
    then no code is invented."""
    blank = cv2.GaussianBlur(load_image(_expected()[0][0]), (0, 0), 25)
    assert decode_image(blank) == []


def _camera_frame(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The photo scaled into a 1280×720 frame on a mottled mid-gray desk, as a camera sees it."""
    frame = cv2.GaussianBlur(rng.integers(90, 140, (720, 1280), dtype=np.uint8), (0, 0), 3)
    h, w = img.shape[:2]
    scale = min(1280 / w, 720 / h)
    nw, nh = int(w * scale), int(h * scale)
    x, y = (1280 - nw) // 2, (720 - nh) // 2
    frame[y:y + nh, x:x + nw] = cv2.resize(to_gray(img), (nw, nh), interpolation=cv2.INTER_LINEAR)
    return frame


def test_camera_frames_find_what_the_former_camera_path_found_within_one_cycle():
    """Given every corpus photo held up to the camera (letterboxed into a 1280×720 frame), when
    the same frame is decoded by a FrameDecoder one hard step per frame, then every photo the
    former unbounded camera path read (fast + full passes in one go) is read within one cycle."""
    rng = np.random.default_rng(1)
    missed = []
    for path, text in _expected():
        frame = _camera_frame(load_image(path), rng)
        if text not in [c.text for c in decode_image(frame, thorough=False)]:
            continue  # the former camera path did not read it either
        decoder = FrameDecoder(budget_ms=0.0)
        if not any(text in [c.text for c in decoder.decode(frame)] for _ in range(decoder.cycle)):
            missed.append(_id((path, text)))
    assert missed == []
