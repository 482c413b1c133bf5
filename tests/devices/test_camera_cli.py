"""``kiosk device camera snapshot`` with the simulated camera and a missing one."""

from __future__ import annotations

import cv2

from drivers.scanner.decode import decode_file
from kiosk.cli import main


def test_snapshot_sim_document_writes_straight_page(tmp_path, capsys):
    """Given the simulated camera with a QR on the page, when ``snapshot --document`` runs,
    then the written JPEG is the upright page and its QR code decodes."""
    out = tmp_path / "page.jpg"
    assert main(["device", "camera", "snapshot", "--camera", "sim", "--qr", "M-0042",
                 "--out", str(out), "--document"]) == 0
    page = cv2.imread(str(out))
    assert page.shape[0] > page.shape[1]
    assert [c.text for c in decode_file(out)] == ["M-0042"]
    assert capsys.readouterr().out.startswith(f"{out}: ")


def test_snapshot_sim_frame(tmp_path):
    """Given the simulated camera, when ``snapshot`` runs without --document, then a 1280×720
    PNG of the whole frame is written."""
    out = tmp_path / "frame.png"
    assert main(["device", "camera", "snapshot", "--camera", "sim", "--out", str(out)]) == 0
    assert cv2.imread(str(out)).shape == (720, 1280, 3)


def test_snapshot_missing_camera_fails_with_one_line(tmp_path, capsys):
    """Given a camera path that does not exist, when ``snapshot`` runs, then exit 1 and one line
    naming the camera, and no file written."""
    out = tmp_path / "x.jpg"
    assert main(["device", "camera", "snapshot", "--camera", str(tmp_path / "video9"),
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "video9" in err
    assert not out.exists()
