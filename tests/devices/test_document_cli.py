"""``kiosk device camera document IMAGE… [--json]`` on generated photos, real ones and junk."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera import cli as camera_cli
from drivers.camera.sample_pages import photograph, render_page
from kiosk.cli import main

QR_PHOTOS = Path("/work/shared/testdata/qr-photos")
KEYS = {"file", "page_found", "corners", "verdict", "message", "message_en", "sharpness",
        "brightness", "width", "height"}


def _write(tmp_path: Path, name: str, defect: str | None, seed: int = 4) -> tuple[Path, object]:
    shot = photograph(render_page(seed), seed=seed, defect=defect)
    path = tmp_path / name
    assert cv2.imwrite(str(path), shot.frame)
    return path, shot


def test_json_lines_one_object_per_file(tmp_path, capsys):
    """Given a good photo and a glaring one as PNG, when ``document --json`` runs, then exit 0
    and exactly one JSON object per line and file, with the agreed keys: corners (four [x, y]
    pairs, top-left first, clockwise, near the truth), verdict, Chinese msgid and English."""
    good, shot = _write(tmp_path, "good.png", None)
    glare, _ = _write(tmp_path, "glare.png", "glare")
    assert main(["device", "camera", "document", str(good), str(glare), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == KEYS and set(second) == KEYS
    assert first["file"] == str(good) and first["page_found"] is True
    assert (first["verdict"], first["message"], first["message_en"]) == (
        "ok", "位置合适，正在拍照", "Good, taking the photo")
    corners = np.array(first["corners"], np.float32)
    assert corners.shape == (4, 2)
    assert np.abs(corners - shot.corners).max() < 0.02 * np.hypot(1280, 720)
    assert (first["width"], first["height"]) == (1280, 720)
    assert second["verdict"] == "glare" and second["message_en"].startswith("Light reflects")


def test_no_page_has_null_corners_and_readable_line(tmp_path, capsys):
    """Given a desk with nothing on it, then ``page_found`` false and ``corners`` null in JSON,
    and without --json one line naming the file and the verdict in English."""
    empty, _ = _write(tmp_path, "空.png", "no_page")  # a Chinese file name reads too
    assert main(["device", "camera", "document", str(empty), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["page_found"] is False and record["corners"] is None
    assert record["verdict"] == "no_page"
    assert main(["device", "camera", "document", str(empty)]) == 0
    out = capsys.readouterr().out
    assert out == f"{empty}: no_page - Lay the document flat inside the frame\n"


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` pixels: header and one tiny data chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


def test_bad_files_one_line_each_and_the_rest_still_read(tmp_path, capsys):
    """Given a missing file, a text file, a PNG claiming 60 Mpx, a truncated PNG and an
    oversized file between good ones, when run, then each bad one gets one stderr line naming
    it and why, the good ones are still reported, and the exit code is 1."""
    good, _ = _write(tmp_path, "good.png", None)
    text = tmp_path / "notes.png"
    text.write_text("not an image", "utf-8")
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_header(10_000, 6_000))
    broken = tmp_path / "broken.png"
    broken.write_bytes(good.read_bytes()[:2000])
    big = tmp_path / "big.jpg"
    with big.open("wb") as f:  # sparse: 51 MB on paper, nothing on disk
        f.truncate(camera_cli.MAX_FILE_BYTES + 1)
    missing = tmp_path / "missing.jpg"
    args = [str(p) for p in (missing, good, text, huge, broken, big)]
    assert main(["device", "camera", "document", *args, "--json"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["file"] for line in captured.out.splitlines()] == [str(good)]
    errors = captured.err.splitlines()
    assert len(errors) == 5
    for path, reason in zip((missing, text, huge, broken, big),
                            ("cannot read", "not an image", "Mpx", "cannot decode", "MB"),
                            strict=True):
        line = next(e for e in errors if e.startswith(f"{path}:"))
        assert reason in line
        assert "Traceback" not in line


def test_real_qr_photo_is_not_a_page(capsys):
    """Given a real phone photo of a QR code printed on a sheet that fills the whole frame (no
    page edge in view), when assessed, then no page is found — it is not accepted."""
    photo = QR_PHOTOS / "qrcode-1" / "1.png"
    if not photo.exists():
        pytest.skip("the shared QR photo corpus is not on this machine")
    assert main(["device", "camera", "document", str(photo), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["verdict"] == "no_page" and record["page_found"] is False
