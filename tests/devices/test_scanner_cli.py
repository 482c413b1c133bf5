"""``kiosk device scanner decode``: the JSON contract and the errors."""

from __future__ import annotations

import json

import cv2
import numpy as np
import qrcode

from kiosk.cli import main


def _qr_png(path, text: str) -> str:
    qrcode.make(text).save(str(path))
    return str(path)


def test_decode_json_contract(tmp_path, capsys):
    """Given a picture with a QR code and a blank picture, when ``decode --json`` runs on both,
    then stdout is exactly one array with one object per input, in order, paths as given."""
    qr = _qr_png(tmp_path / "材料.png", "办事指南 https://example.gov.cn/s?id=42")
    blank = str(tmp_path / "blank.png")
    cv2.imwrite(blank, np.full((200, 300, 3), 230, np.uint8))
    assert main(["device", "scanner", "decode", blank, qr, "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == [
        {"file": blank, "codes": []},
        {"file": qr, "codes": [{"text": "办事指南 https://example.gov.cn/s?id=42",
                                "format": "QRCode"}]},
    ]
    assert out.count("\n") == 1


def test_decode_plain_output(tmp_path, capsys):
    """Given a QR picture, when ``decode`` runs without --json, then one tab-separated line."""
    qr = _qr_png(tmp_path / "a.png", "A-0042")
    assert main(["device", "scanner", "decode", qr]) == 0
    assert capsys.readouterr().out == f"{qr}\tA-0042\n"


def test_decode_unreadable_file_fails_with_one_line(tmp_path, capsys):
    """Given a text file among the images, when ``decode`` runs, then exit 2, one stderr line,
    nothing on stdout."""
    bad = tmp_path / "notes.txt"
    bad.write_text("not a picture")
    assert main(["device", "scanner", "decode", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "cannot read image" in captured.err
