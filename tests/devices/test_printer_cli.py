"""``kiosk device printer test|status`` end to end: a file, a pty emulator, the simulator."""

from __future__ import annotations

import json

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from drivers.printer.emulator import Answer, PtyPrinterEmulator
from kiosk.cli import main

QR_HEAD = b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00\x1d\x28\x6b\x03\x00\x31\x43"
QR_TAIL = b"\x1d\x28\x6b\x03\x00\x31\x51\x30"


@pytest.fixture(autouse=True)
def defaults_only(monkeypatch, tmp_path):
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # the simulator writes under ./var


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_test_page_to_file(tmp_path, capsys, encoding):
    """Given --file and --png when the test page is printed then the file starts with ESC @,
    holds 打印测试 in the encoding, the native QR and ends with the cut; the PNG's QR reads."""
    out, png = tmp_path / "lp0", tmp_path / "page.png"
    rc = main(["device", "printer", "test", "--file", str(out), "--encoding", encoding,
               "--png", str(png)])
    assert rc == 0
    data = out.read_bytes()
    assert data.startswith(b"\x1b\x40") and data.endswith(b"\x1d\x56\x01")
    assert QR_HEAD in data and QR_TAIL in data
    assert "打印测试".encode(encoding) in data
    yen = b"\x81\x30\x84\x36" if encoding == "gb18030" else b"\xa3\xa4"
    assert yen + b"12.50" in data
    assert decode(Image.open(png))[0].data == b"https://hall.example.gov.cn/printer-test"
    printed = capsys.readouterr().out
    assert f"{len(data)} bytes" in printed
    assert ("substituted U+00A5" in printed) == (encoding == "gbk")


@pytest.mark.parametrize(("answer", "rc"), [
    (Answer.OK, 0), (Answer.NEAR_END, 0), (Answer.OUT, 1), (Answer.OFFLINE, 1), (Answer.SILENT, 1),
])
def test_status_over_pty(capsys, answer, rc):
    """Given the emulator on a pty when `status --port` is run then it prints the status word
    (and JSON with --json) and exits non-zero for out/offline."""
    with PtyPrinterEmulator(answer) as emulator:
        code = main(["device", "printer", "status", "--port", emulator.port, "--timeout", "0.2"])
        assert code == rc
        assert capsys.readouterr().out.split()[0] == {Answer.SILENT: "offline"}.get(answer,
                                                                                  answer.value)
        assert main(["device", "printer", "status", "--port", emulator.port, "--timeout", "0.2",
                     "--json"]) == rc
    doc = json.loads(capsys.readouterr().out)
    assert doc["known"] is True and doc["printer"].startswith("serial ")


def test_status_of_a_file_is_unknown(tmp_path, capsys):
    """Given --file when status is asked then 'ok (unknown ...)', never a made-up reading."""
    assert main(["device", "printer", "status", "--file", str(tmp_path / "lp0")]) == 0
    assert "unknown" in capsys.readouterr().out


def test_test_page_refused_on_paper_out_is_one_line_error(capsys):
    """Given a printer out of paper when the test page is printed then exit 1 and one line."""
    with PtyPrinterEmulator(Answer.OUT) as emulator:
        rc = main(["device", "printer", "test", "--port", emulator.port, "--timeout", "0.2"])
        received = emulator.core.received
    err = capsys.readouterr().err
    assert rc == 1 and len(err.strip().splitlines()) == 1 and "out of paper" in err
    assert b"\x1b\x40" not in received


def test_unreachable_host_is_one_line_error(capsys):
    """Given a bad --host when the test page is printed then it is refused as a usage error
    (exit 2) before any connection, with advice on one line."""
    rc = main(["device", "printer", "test", "--host", "127.0.0.1:notaport"])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "HOST:PORT" in err


def test_default_config_uses_the_simulator(tmp_path, capsys):
    """Given the shipped config (simulated printer) when the test page is printed without a
    connection option then a .bin and .png appear under var/printouts."""
    assert main(["device", "printer", "test"]) == 0
    assert "simulator" in capsys.readouterr().out
    assert len(list((tmp_path / "var" / "printouts").glob("*.png"))) == 1
