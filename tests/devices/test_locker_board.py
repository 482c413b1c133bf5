"""SerialLockerBoard over real pseudo-terminals against byte-exact 8A and Kerong emulators."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import serial

from drivers.base import DeviceTimeout, DeviceUnplugged, HealthState, ProtocolError
from drivers.locker.base import ChecksumError, DoorJammed, DoorState
from drivers.locker.board import SerialLockerBoard
from drivers.locker.emulator import Emulator8A, EmulatorKerong, LockerBoardEmulator

H = bytes.fromhex
FAST = 0.15  # per-answer timeout for the fault tests: a silent board must fail quickly


@pytest.fixture
def emu8a(tmp_path) -> Iterator[Emulator8A]:
    with Emulator8A(board=1, doors=24, link_dir=tmp_path) as emulator:
        yield emulator


@pytest.fixture
def kerong(tmp_path) -> Iterator[EmulatorKerong]:
    with EmulatorKerong(board=1, doors=16, link_dir=tmp_path) as emulator:
        yield emulator


@pytest.fixture(params=["8a", "kerong"])
def family(request, tmp_path) -> Iterator[tuple[LockerBoardEmulator, SerialLockerBoard]]:
    """Each family's emulator with a driver on its port (board 1, short timeout)."""
    cls = Emulator8A if request.param == "8a" else EmulatorKerong
    with cls(board=1, link_dir=tmp_path) as emulator:
        board = SerialLockerBoard(emulator.port, protocol=request.param, board=1, timeout=FAST)
        yield emulator, board
        board.close()


def driver(emulator: LockerBoardEmulator, **kwargs: object) -> SerialLockerBoard:
    kwargs.setdefault("timeout", FAST)
    return SerialLockerBoard(emulator.port, protocol=emulator.family, board=emulator.board,
                             **kwargs)  # type: ignore[arg-type]


# ---- exact bytes and the happy path -------------------------------------------------------
def test_8a_open_sends_open_then_confirming_query_byte_for_byte(emu8a):
    """Given a closed door 1, when opening it, then the board receives exactly the open and the
    query for lock 1, and the door is open."""
    board = driver(emu8a, timeout=0.5)
    board.open_door(1)
    assert emu8a.received == H("8A 01 01 11 9B") + H("80 01 01 33 B3")
    assert emu8a.is_open(1)
    assert board.health().state is HealthState.OK


def test_8a_status_sends_query_all_vector(emu8a):
    """Given doors 2 and 24 open, when reading states, then the request is 80 01 00 33 B2 and
    exactly those doors read open."""
    emu8a.open_by_hand(2)
    emu8a.open_by_hand(24)
    states = driver(emu8a).door_states()
    assert emu8a.received == H("80 01 00 33 B2")
    assert sorted(d for d, s in states.items() if s.is_open) == [2, 24]
    assert list(states) == list(range(1, 25))
    assert states[2] == DoorState(is_open=True, item_present=None)


def test_kerong_open_sends_unlock_then_state_read_byte_for_byte(kerong):
    """Given Kerong board 1 (high-nibble addressing), when opening door 2, then the board gets
    02 11 31 03 47 then 02 10 30 03 45 and the door is open."""
    driver(kerong).open_door(2)
    assert kerong.requests == [H("02 11 31 03 47"), H("02 10 30 03 45")]
    assert kerong.is_open(2)


def test_kerong_lock_only_addressing(tmp_path):
    """Given a board addressed lock-only, when opening door 5, then ADDR is 04 and state read 00."""
    with EmulatorKerong(board=0, addressing="lock_only", link_dir=tmp_path) as emulator:
        SerialLockerBoard(emulator.port, protocol="kerong", board=0, addressing="lock_only",
                          timeout=FAST).open_door(5)
        assert emulator.requests == [H("02 04 31 03 3A"), H("02 00 30 03 35")]


def test_kerong_status_reports_item_presence(kerong):
    """Given items in compartments 3 and 16 and door 3 open, when reading states, then items and
    doors are reported per compartment."""
    kerong.put_item(3)
    kerong.put_item(16)
    kerong.open_by_hand(3)
    states = driver(kerong).door_states()
    assert states[3] == DoorState(is_open=True, item_present=True)
    assert states[16] == DoorState(is_open=False, item_present=True)
    assert sorted(d for d, s in states.items() if s.item_present) == [3, 16]
    kerong.remove_item(3)
    assert driver(kerong).door_states()[3].item_present is False


def test_kerong_bare_unlock_ack_is_still_confirmed(kerong):
    """Given a board that answers an unlock with a bare ack, when opening, then the state read
    confirms it."""
    kerong.ack_unlock_with_state = False
    driver(kerong).open_door(7)
    assert kerong.is_open(7)


# ---- the field failures -------------------------------------------------------------------
def test_open_without_ack_is_confirmed_by_the_query(family):
    """Given a board that opens but does not answer the open, when opening door 4, then the
    query confirms it on the first attempt (one open, no retry)."""
    emulator, board = family
    emulator.mute_open = True
    board.open_door(4)
    assert emulator.is_open(4)
    assert emulator.open_requests == 1


def test_jammed_latch_raises_door_jammed_after_every_retry(family):
    """Given a jammed latch, when opening door 5 with 3 retries, then the board saw 3 opens and
    DoorJammed names board and door; health is degraded with that door."""
    emulator, board = family
    emulator.jammed.add(5)
    with pytest.raises(DoorJammed, match="board 1 door 5 is still closed after 3 attempts") as e:
        board.open_door(5)
    assert emulator.open_requests == 3
    assert not emulator.is_open(5)
    assert "5号柜门" in e.value.message_zh
    assert board.health().state is HealthState.DEGRADED and "5" in board.health().reason
    assert board.jammed_doors == {5}


def test_board_deaf_to_first_tries_answers_on_a_later_attempt_after_reopen(family, monkeypatch):
    """Given a board that ignores its first 2 requests, when opening door 6, then the second
    attempt succeeds after the port was closed and reopened in between."""
    emulator, board = family
    opened: list[str] = []
    real = serial.serial_for_url

    def counting(url: str, *args: object, **kwargs: object) -> serial.SerialBase:
        opened.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(serial, "serial_for_url", counting)
    emulator.deaf_requests = 2
    board.open_door(6)
    assert emulator.open_requests == 2
    assert len(opened) == 2
    assert board.health().state is HealthState.OK


@pytest.mark.parametrize("noise", [H("00 FF 13"), H("FF 80 8A 02 13")],
                         ids=["plain", "with-head-bytes"])
def test_noise_before_every_reply_is_skipped(family, noise):
    """Given noise (even holding head bytes) before every reply, when opening and reading, then
    both work on the first attempt."""
    emulator, board = family
    emulator.noise = noise
    emulator.open_by_hand(9)
    board.open_door(3)
    states = board.door_states()
    assert states[3].is_open and states[9].is_open and not states[1].is_open
    assert emulator.open_requests == 1


def test_split_replies_are_assembled(family):
    """Given replies trickling one byte per write, when opening and reading, then it works."""
    emulator, board = family
    emulator.split_replies = True
    board.open_door(2)
    assert board.door_states()[2].is_open


def test_one_bad_checksum_is_retried(family):
    """Given the next reply corrupted, when reading states, then the second attempt succeeds."""
    emulator, board = family
    emulator.bad_checksum_replies = 1
    assert len(board.door_states()) == board.doors
    assert len(emulator.requests) == 2


def test_persistent_bad_checksum_is_a_protocol_error_not_a_timeout(family):
    """Given every reply corrupted, when reading states, then ChecksumError (a ProtocolError)
    says what was wrong; an open ends in the same error, never a false success."""
    emulator, board = family
    emulator.bad_checksum_replies = 100
    with pytest.raises(ChecksumError, match="board 1 .*query all doors.*checksum"):
        board.door_states()
    with pytest.raises(ProtocolError):
        board.open_door(1)
    assert board.health().state is HealthState.OFFLINE


def test_silence_is_a_quick_timeout(family):
    """Given a silent board, when reading states or opening, then DeviceTimeout comes within the
    retries x timeout budget and health goes offline."""
    emulator, board = family
    emulator.silent = True
    started = time.monotonic()
    with pytest.raises(DeviceTimeout, match="did not answer query all doors within 0.15 s"):
        board.door_states()
    assert time.monotonic() - started < 3 * FAST + 0.5
    with pytest.raises(DeviceTimeout):
        board.open_door(1)  # silent even to the confirmation: a timeout, not a jam
    assert board.health().state is HealthState.OFFLINE
    assert emulator.open_requests == 3


def test_stale_bytes_before_a_command_are_cleared(emu8a):
    """Given a stale query-all reply saying "all open" waiting in the input buffer, when reading
    states, then the board's fresh answer (all closed) is used."""
    board = driver(emu8a)
    board.open()
    emu8a.inject(H("80 01 FF FF FF 33 4D"))
    deadline = time.monotonic() + 2
    while board._line.in_waiting() < 7:
        assert time.monotonic() < deadline, "stale bytes never reached the port"
    assert not any(s.is_open for s in board.door_states().values())


def test_polarity_setting_inverts(tmp_path):
    """Given a board model whose bit 0 means open, when the driver is set to open_bit=0 it reads
    and opens correctly; with the default polarity every state reads inverted."""
    with Emulator8A(board=1, open_bit=0, link_dir=tmp_path) as emulator:
        emulator.open_by_hand(8)
        right = driver(emulator, open_bit=0)
        assert [d for d, s in right.door_states().items() if s.is_open] == [8]
        right.open_door(1)
        assert emulator.is_open(1)
        wrong = driver(emulator, open_bit=1)
        assert [d for d, s in wrong.door_states().items() if not s.is_open] == [1, 8]


def test_unplug_then_replug_reconnects(family):
    """Given a working board, when the cable is pulled, then DeviceUnplugged and health offline;
    when it is plugged back, then the next call reconnects by the same port name."""
    emulator, board = family
    board.door_states()
    emulator.unplug()
    with pytest.raises(DeviceUnplugged, match="USB–RS485"):
        board.door_states()
    with pytest.raises(DeviceUnplugged):
        board.open_door(1)
    assert board.health().state is HealthState.OFFLINE
    emulator.replug()
    board.open_door(1)
    assert emulator.is_open(1)
    assert board.health().state is HealthState.OK


def test_missing_port_is_unplugged_on_open(tmp_path):
    """Given a port name that does not exist, when opening, then DeviceUnplugged points the
    technician at the adapter and at ``kiosk device ports``."""
    board = SerialLockerBoard(str(tmp_path / "ttyUSB9"), protocol="8a")
    with pytest.raises(DeviceUnplugged, match="kiosk device ports"):
        board.open()


def test_door_numbers_and_settings_are_checked():
    """Given impossible settings, when building or opening, then ValueError says what is allowed."""
    with pytest.raises(ValueError, match="at most 16"):
        SerialLockerBoard("loop://", protocol="kerong", doors=24)
    with pytest.raises(ValueError, match="8a, kerong"):
        SerialLockerBoard("loop://", protocol="modbus")
    with pytest.raises(ValueError, match="open_bit"):
        SerialLockerBoard("loop://", open_bit=2)
    with pytest.raises(ValueError, match="door must be 1-24"):
        SerialLockerBoard("loop://").open_door(25)


def test_from_config_reads_the_locker_settings(emu8a):
    """Given [devices.locker] values, when building from them, then the board works."""
    board = SerialLockerBoard.from_config("8a", emu8a.port, 9600, FAST,
                                          {"board": 1, "doors": 12, "open_bit": 1})
    assert list(board.door_states()) == list(range(1, 13))
