"""``kiosk device idcard read|sam`` end to end against the emulator on a pseudo-terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.idcard.emulator import SamReaderEmulator
from drivers.idcard.samples import SAMPLE_CARDS
from kiosk.cli import main


@pytest.fixture
def emulator() -> Iterator[SamReaderEmulator]:
    with SamReaderEmulator(SAMPLE_CARDS["resident"]) as emu:
        yield emu


def test_read_json_is_exactly_the_card_contract(emulator, capsys):
    """Given a card on the reader / when `idcard read --json` / then stdout is one JSON
    document equal to IdCard.to_json(), unmasked, exit 0."""
    code = main(["device", "idcard", "read", "--port", emulator.port, "--timeout", "1",
                 "--json"])
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out) == SAMPLE_CARDS["resident"].to_json()
    assert "110105199003071239" in out and "张三" in out


def test_read_text_output_for_a_foreign_card(emulator, capsys):
    """Given the 2023 foreigner card / when `idcard read` / then readable lines with the
    English name, nationality and ID number."""
    emulator.present(SAMPLE_CARDS["foreigner_2023"])
    assert main(["device", "idcard", "read", "--port", emulator.port, "--timeout", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "English name     MONTGOMERY-WORTHINGTON, ALEXANDRA ELIZABETH" in lines
    assert "nationality      GBR" in lines
    assert "ID number        911826198503100011" in lines
    assert "card type        foreign_permanent_2023" in lines


def test_read_without_a_card_fails_with_one_line(emulator, capsys):
    """Given an empty reader / when `idcard read --timeout 0.2` / then exit 1 and one line
    on stderr saying no card came."""
    emulator.remove()
    code = main(["device", "idcard", "read", "--port", emulator.port, "--timeout", "0.2"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.count("\n") == 1 and "no ID card on the reader" in captured.err


def test_read_on_a_missing_port_fails_with_one_line(capsys):
    """Given a port that does not exist / then exit 1, one line naming the port, in English
    and Chinese."""
    code = main(["device", "idcard", "read", "--port", "/dev/nonexistent-idcard",
                 "--timeout", "0.1"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert "/dev/nonexistent-idcard" in err and "设备未连接" in err


def test_sam_json_and_text(emulator, capsys):
    """Given a healthy SAM / when `idcard sam` / then id and status 90, exit 0."""
    assert main(["device", "idcard", "sam", "--port", emulator.port, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == {"status": "90", "ok": True, "message": "SAM ready",
                   "sam_id": "05.01-20230315-0123456789-0987654321",
                   "sam_id_hex": emulator.sam_id.hex()}
    assert main(["device", "idcard", "sam", "--port", emulator.port]) == 0
    assert "SAM id:     05.01-20230315" in capsys.readouterr().out


def test_sam_fault_exits_non_zero(emulator, capsys):
    """Given a SAM answering 66 (not authorised) / then exit 1 and the reason on stderr."""
    emulator.sam_status = 0x66
    assert main(["device", "idcard", "sam", "--port", emulator.port]) == 1
    captured = capsys.readouterr()
    assert "SAM status: 66" in captured.out
    assert "SAM not authorised" in captured.err and captured.err.count("\n") == 1


def test_installed_kiosk_command_reads_a_card(emulator):
    """Given the console script in the virtualenv / when run as a subprocess / then the
    same JSON contract comes out."""
    script = Path(sys.executable).with_name("kiosk")
    if not script.exists():
        pytest.skip("kiosk console script not installed in this interpreter's bin/")
    emulator.present(SAMPLE_CARDS["hk_permit"])
    done = subprocess.run([str(script), "device", "idcard", "read", "--port", emulator.port,
                           "--timeout", "2", "--json"], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "PYTHONUTF8": "1"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == SAMPLE_CARDS["hk_permit"].to_json()
