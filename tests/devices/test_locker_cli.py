"""``kiosk device locker open|status`` end to end: the real command against pty emulators."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from drivers.locker.emulator import Emulator8A, EmulatorKerong
from kiosk.cli import main

H = bytes.fromhex


@pytest.fixture
def emu8a(tmp_path) -> Iterator[Emulator8A]:
    with Emulator8A(board=1, link_dir=tmp_path) as emulator:
        yield emulator


@pytest.fixture
def kerong(tmp_path) -> Iterator[EmulatorKerong]:
    with EmulatorKerong(board=2, link_dir=tmp_path) as emulator:
        yield emulator


def run(*argv: str) -> int:
    return main(["device", "locker", *argv, "--timeout", "0.15"])


def test_open_confirmed_exits_zero_with_json(emu8a, capsys):
    """Given a working 8A board, when opening door 3 with --json, then exit 0, the JSON says
    open, and the board received the open and the confirming query."""
    assert run("open", "3", "--port", emu8a.port, "--protocol", "8a", "--board", "1",
               "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"door": 3, "open": True}
    assert emu8a.requests == [H("8A 01 03 11 99"), H("80 01 03 33 B1")]


def test_open_jammed_fails_with_one_clear_line(emu8a, capsys):
    """Given a jammed latch, when opening door 4, then exit 1 after 3 attempts and stderr names
    board and door in English and Chinese."""
    emu8a.jammed.add(4)
    assert run("open", "4", "--port", emu8a.port, "--protocol", "8a", "--board", "1") == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "board 1 door 4 is still closed after 3 attempts" in err and "4号柜门" in err
    assert emu8a.open_requests == 3


def test_status_json_8a_lists_every_door_and_no_items(emu8a, capsys):
    """Given doors 1 and 20 open, when asking status --json, then exactly the documented JSON."""
    emu8a.open_by_hand(1)
    emu8a.open_by_hand(20)
    assert run("status", "--port", emu8a.port, "--protocol", "8a", "--board", "1",
               "--json") == 0
    expected = {str(d): ("open" if d in (1, 20) else "closed") for d in range(1, 25)}
    assert json.loads(capsys.readouterr().out) == {"doors": expected}


def test_status_json_kerong_adds_items(kerong, capsys):
    """Given a Kerong board 2 with an item in 5 and door 6 open, when asking status --json,
    then doors and items are both reported."""
    kerong.put_item(5)
    kerong.open_by_hand(6)
    assert run("status", "--port", kerong.port, "--protocol", "kerong", "--board", "2",
               "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["doors"] == {str(d): "open" if d == 6 else "closed" for d in range(1, 17)}
    assert document["items"] == {str(d): d == 5 for d in range(1, 17)}
    assert kerong.requests == [H("02 20 30 03 55")]


def test_open_bit_option_reaches_the_driver(tmp_path, capsys):
    """Given a board whose bit 0 means open, when opening with --open-bit 0, then exit 0."""
    with Emulator8A(board=1, open_bit=0, link_dir=tmp_path) as emulator:
        assert run("open", "2", "--port", emulator.port, "--protocol", "8a",
                   "--open-bit", "0") == 0
        assert emulator.is_open(2)


def test_silent_board_fails_with_timeout_message(emu8a, capsys):
    """Given a silent board, when asking status, then exit 1 and stderr says it did not answer."""
    emu8a.silent = True
    assert run("status", "--port", emu8a.port, "--protocol", "8a") == 1
    assert "did not answer" in capsys.readouterr().err


def test_bad_door_number_is_a_usage_error(emu8a, capsys):
    """Given door 30 on a 24-door board, when opening, then exit 2 and nothing is sent."""
    assert run("open", "30", "--port", emu8a.port, "--protocol", "8a") == 2
    assert "door must be 1-24" in capsys.readouterr().err
    assert emu8a.requests == []
