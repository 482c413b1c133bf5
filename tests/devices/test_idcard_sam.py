"""The SAM reader driver against the protocol emulator over real pseudo-terminals."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
import serial

from drivers.base import DeviceTimeout, DeviceUnplugged, HealthState
from drivers.idcard.base import CardReadError
from drivers.idcard.emulator import DEFAULT_PHOTO, SamReaderEmulator
from drivers.idcard.errors import (
    STATUS,
    CardReadFailed,
    FrameChecksumError,
    ReaderRejectedChecksum,
    SamFault,
    UnexpectedStatus,
)
from drivers.idcard.protocol import Command
from drivers.idcard.sam import SamIdCardReader
from drivers.idcard.samples import SAMPLE_CARDS

FIND, SELECT, READ = Command.FIND.frame, Command.SELECT.frame, Command.READ.frame
RESIDENT = SAMPLE_CARDS["resident"]


@pytest.fixture
def emulator() -> Iterator[SamReaderEmulator]:
    with SamReaderEmulator(RESIDENT) as emu:
        yield emu


@pytest.fixture
def reader(emulator: SamReaderEmulator) -> Iterator[SamIdCardReader]:
    device = SamIdCardReader(emulator.port, timeout=0.3, poll_interval=0.02)
    device.open()
    yield device
    device.close()


def test_reads_a_card_with_find_select_read(emulator, reader):
    """Given a resident card on the reader / when read / then exactly find, select, read were
    sent and the card comes back field for field with its WLT photo; health is ok."""
    card = reader.read_card(timeout=1.0)
    assert emulator.requests == [FIND, SELECT, READ]
    assert card is not None
    assert card.photo_wlt == DEFAULT_PHOTO
    assert card == replace(RESIDENT, photo_wlt=DEFAULT_PHOTO)
    assert reader.health().state is HealthState.OK


@pytest.mark.parametrize("name", sorted(SAMPLE_CARDS))
def test_every_sample_card_type_is_decoded_over_the_wire(emulator, reader, name):
    """Given each sample card (resident, elderly, expired, 长期, J, I, Y) / when read /
    then every decoded field equals the card's."""
    emulator.present(SAMPLE_CARDS[name])
    card = reader.read_card(timeout=1.0)
    assert card is not None
    assert card.to_json() == SAMPLE_CARDS[name].to_json()


def test_expired_card_is_read_and_flagged_expired(emulator, reader):
    """Given the expired sample / when read / then the kiosk can tell it expired."""
    emulator.present(SAMPLE_CARDS["expired"])
    card = reader.read_card(timeout=1.0)
    assert card is not None and card.is_expired(date.today())
    assert not SAMPLE_CARDS["resident"].is_expired(date.today())


def test_no_card_returns_none_after_the_timeout_polling_find_only(emulator, reader):
    """Given an empty reader / when waiting 0.2 s / then None, only find frames sent."""
    emulator.remove()
    started = time.monotonic()
    assert reader.read_card(timeout=0.2) is None
    assert 0.2 <= time.monotonic() - started < 1.0
    assert emulator.requests and set(emulator.requests) == {FIND}
    assert len(emulator.requests) >= 3  # polled, not a single look


def test_same_card_is_not_read_twice_until_removed(emulator, reader):
    """Given a card read once and left on the reader / when polled again / then None; after
    removal (find → 80) and re-presentation / then it is read again."""
    assert reader.read_card(timeout=1.0) is not None
    emulator.requests.clear()
    assert reader.read_card(timeout=0.1) is None
    assert set(emulator.requests) == {FIND}
    assert reader.card_present()
    emulator.remove()
    assert not reader.card_present()
    emulator.present(RESIDENT)
    assert reader.read_card(timeout=1.0) is not None


def test_card_arriving_while_waiting_is_read(emulator, reader):
    """Given an empty reader / when a card is laid during read_card / then it is read."""
    emulator.remove()
    timer = threading.Timer(0.05, emulator.present, args=(RESIDENT,))
    timer.start()
    try:
        card = reader.read_card(timeout=2.0)
    finally:
        timer.cancel()
    assert card is not None and card.name == "张三"


def test_noise_before_every_reply_is_skipped(emulator, reader):
    """Given stray bytes (with a false preamble start) before each reply / then the card."""
    emulator.noise = b"\x00\xaa\xaa\x13\xff\x96\x69"
    assert reader.read_card(timeout=1.0) is not None
    assert reader.health().state is HealthState.OK


def test_replies_split_across_writes_are_assembled(emulator, reader):
    """Given every reply written in 9 pieces 3 ms apart / then the card."""
    emulator.split_pieces, emulator.split_delay = 9, 0.003
    card = reader.read_card(timeout=1.0)
    assert card is not None and card.id_number == RESIDENT.id_number


def test_one_bad_checksum_is_retried(emulator, reader):
    """Given the read reply corrupted once / then read is sent again, the card comes back, and
    health says degraded (line noise) with the retry counted."""
    emulator.corrupt_checksums(1, Command.READ)
    assert reader.read_card(timeout=1.0) is not None
    assert emulator.requests == [FIND, SELECT, READ, READ]
    assert reader.checksum_retries == 1
    assert reader.health().state is HealthState.DEGRADED
    assert reader.card_present()  # a clean exchange brings health back
    assert reader.health().state is HealthState.OK


def test_two_bad_checksums_give_a_clear_error(emulator, reader):
    """Given every read reply corrupted / then FrameChecksumError saying it happened twice."""
    emulator.corrupt_checksums(None, Command.READ)
    with pytest.raises(FrameChecksumError, match="twice") as info:
        reader.read_card(timeout=1.0)
    assert emulator.requests == [FIND, SELECT, READ, READ]
    assert info.value.message_zh.startswith("身份证阅读器通信错误")
    assert reader.health().state is HealthState.DEGRADED


def test_reader_rejecting_our_checksum_once_is_retried(emulator, reader):
    """Given the reader answering 10 (it saw our frame corrupted) once / then resent, card."""
    emulator.force_status(0x10, Command.SELECT)
    assert reader.read_card(timeout=1.0) is not None
    assert emulator.requests == [FIND, SELECT, SELECT, READ]


def test_reader_rejecting_our_checksum_twice_is_an_error(emulator, reader):
    """Given the reader answering 10 to every select / then ReaderRejectedChecksum."""
    emulator.force_status(0x10, Command.SELECT, times=None)
    with pytest.raises(ReaderRejectedChecksum):
        reader.read_card(timeout=1.0)


FAILURE_CODES = sorted(set(STATUS) - {0x90, 0x10, 0x11})


@pytest.mark.parametrize("code", FAILURE_CODES, ids=lambda c: f"{c:02X}")
def test_every_status_code_answered_to_select_raises_its_typed_error(emulator, reader, code):
    """Given the reader answering ``code`` to select / then that code's own error class,
    and health says whether the reader (SAM fault: offline) or the card is to blame."""
    emulator.force_status(code, Command.SELECT)
    with pytest.raises(STATUS[code][0]) as info:
        reader.read_card(timeout=1.0)
    assert info.value.status == code
    if isinstance(info.value, SamFault):
        assert reader.health().state is HealthState.OFFLINE
        assert f"{code:02X}" in reader.health().reason
    else:
        assert reader.health().state is HealthState.OK


def test_success_code_in_the_wrong_place_is_unexpected(emulator, reader):
    """Given find answered 90 (not 9F or 80) / then UnexpectedStatus."""
    emulator.force_status(0x90, Command.FIND)
    with pytest.raises(UnexpectedStatus):
        reader.card_present()


def test_failed_read_waits_for_the_card_to_be_lifted(emulator, reader):
    """Given a read answered 41 (card moved) / then CardReadFailed; the card still lying there
    is not retried in a loop; lifted and laid again / then it is read."""
    emulator.force_status(0x41, Command.READ)
    with pytest.raises(CardReadFailed) as info:
        reader.read_card(timeout=1.0)
    assert isinstance(info.value, CardReadError)
    emulator.requests.clear()
    assert reader.read_card(timeout=0.1) is None
    assert set(emulator.requests) == {FIND}
    emulator.remove()
    assert not reader.card_present()
    emulator.present(RESIDENT)
    assert reader.read_card(timeout=1.0) is not None


def test_silence_is_a_timeout_and_the_reader_goes_offline(emulator, reader):
    """Given a reader that stops answering / then DeviceTimeout within the 0.3 s timeout, and
    health offline with the reason; answering again / then it works."""
    emulator.silent = True
    started = time.monotonic()
    with pytest.raises(DeviceTimeout, match="timed out on find"):
        reader.read_card(timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert reader.health().state is HealthState.OFFLINE
    emulator.silent = False
    assert reader.read_card(timeout=1.0) is not None


def test_half_a_reply_then_silence_is_a_timeout(emulator, reader):
    """Given a read reply that stops mid-frame (reader hung) / then DeviceTimeout naming the
    bytes received."""
    emulator.stall_mid_frame(Command.READ)
    with pytest.raises(DeviceTimeout, match=r"timed out on read \(30 01\) after 647 bytes"):
        reader.read_card(timeout=1.0)
    assert reader.health().state is HealthState.OFFLINE
    emulator.remove()
    assert not reader.card_present()  # the late half frame is not taken for the next reply
    assert reader.health().state is HealthState.OK


def test_unplug_mid_frame_then_replug_reconnects(emulator, reader):
    """Given the reader unplugged half way through the read reply / then DeviceUnplugged and
    health offline; while unplugged / then DeviceUnplugged again (port cannot open); plugged
    back under the same name / then the next call reopens the port and reads the card."""
    emulator.unplug_mid_frame(Command.READ)
    with pytest.raises(DeviceUnplugged, match="disconnected during read"):
        reader.read_card(timeout=1.0)
    assert reader.health().state is HealthState.OFFLINE
    assert emulator.unplugged.wait(2.0)  # the emulator thread may finish closing just after
    with pytest.raises(DeviceUnplugged, match="cannot be opened"):
        reader.card_present()
    emulator.replug()
    emulator.remove()
    assert not reader.card_present()  # the reopened port answers; the old "seen" mark clears
    emulator.present(RESIDENT)
    assert reader.read_card(timeout=1.0) is not None
    assert reader.health().state is HealthState.OK


def test_sam_status_and_id(emulator, reader):
    """Given a healthy SAM / then status 90 ok and the id formatted as vendors print it;
    given a SAM failing its self-test / then status 60, not ok, health offline."""
    status = reader.sam_status()
    assert status.ok and status.status == 0x90
    assert str(reader.sam_id()) == "05.01-20230315-0123456789-0987654321"
    assert emulator.requests == [Command.SAM_STATUS.frame, Command.SAM_ID.frame]
    emulator.sam_status = 0x60
    status = reader.sam_status()
    assert not status.ok and status.status == 0x60 and "self-test" in status.message
    assert reader.health().state is HealthState.OFFLINE


def test_missing_photo_decoder_never_fails_the_read(emulator):
    """Given a photo decoder path that does not exist / then the card is read, photo not
    decoded."""
    device = SamIdCardReader(emulator.port, timeout=0.3, photo_decoder="/nonexistent/libwlt.so")
    try:
        card = device.read_card(timeout=1.0)
    finally:
        device.close()
    assert card is not None and card.photo_bmp is None
    assert card.to_json()["photo"] == "not_decoded"


def test_port_that_does_not_exist_is_unplugged():
    """Given a port path with nothing behind it / when opened / then DeviceUnplugged naming
    the port, health offline."""
    device = SamIdCardReader("/dev/nonexistent-idcard", timeout=0.1)
    with pytest.raises(DeviceUnplugged, match="nonexistent-idcard"):
        device.open()
    assert device.health().state is HealthState.OFFLINE


def test_close_wakes_a_waiting_read(emulator, reader):
    """Given read_card waiting for a card / when the owner closes the reader / then read_card
    returns None promptly instead of waiting out its timeout."""
    emulator.remove()
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(reader.read_card(timeout=5.0)))
    started = time.monotonic()
    worker.start()
    deadline = time.monotonic() + 2.0
    while not emulator.requests and time.monotonic() < deadline:
        time.sleep(0.005)  # poll with a deadline for the worker's first find
    reader.close()
    worker.join(timeout=3.0)
    assert result == [None]
    assert time.monotonic() - started < 2.0


def test_emulator_answers_a_corrupted_command_with_status_10(emulator):
    """Given a find frame with a wrong CHK written straight to the pty / then the emulator
    answers exactly AA AA AA 96 69 00 04 00 00 10 14, as a reader does."""
    with serial.serial_for_url(emulator.port, baudrate=115200, timeout=1.0) as port:
        port.write(FIND[:-1] + b"\x00")
        assert port.read(11) == bytes.fromhex("AAAAAA9669000400001014")
        port.write(Command.SET_MAX_RF_BYTES.frame)
        assert port.read(11) == bytes.fromhex("AAAAAA9669000400009094")
