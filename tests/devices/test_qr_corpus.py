"""Our decoder on real QR photographs: at least everything pyzbar or zxing-cpp reads alone.

The corpus (ZXing's black-box sets qrcode-1/2/3) lives beside the clone, in
``../shared/testdata/qr-photos``: ``N.png`` with the expected text in ``N.txt``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import pytest

from drivers.scanner.decode import decode_image, load_image, read_zbar, read_zxing, to_gray

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
