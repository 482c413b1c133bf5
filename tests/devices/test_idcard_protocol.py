"""GA 467 framing, pure: exact request bytes, checksum, resynchronising parser, status errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.base import DeviceError, ProtocolError
from drivers.idcard.base import CardReadError
from drivers.idcard.errors import (
    STATUS,
    FrameChecksumError,
    FrameLengthError,
    NoCardFound,
    SamFault,
    SamSelfTestFailed,
    UnexpectedStatus,
    UnknownStatus,
    status_error,
)
from drivers.idcard.protocol import (
    Command,
    FrameParser,
    Reply,
    RequestParser,
    checksum,
    read_reply_data,
    reply_frame,
    split_card_data,
)

FIND_OK = bytes.fromhex("AAAAAA966900080000 9F 00000000 97".replace(" ", ""))
FIND_NO_CARD = bytes.fromhex("AAAAAA96690004000080 84".replace(" ", ""))
SELECT_OK = bytes.fromhex("AAAAAA9669000C000090") + bytes(8) + b"\x9c"


@pytest.mark.parametrize(("command", "hex_frame"), [
    (Command.SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
    (Command.SAM_ID, "AA AA AA 96 69 00 03 12 FF EE"),
    (Command.SAM_RESET, "AA AA AA 96 69 00 03 10 FF EC"),
    (Command.FIND, "AA AA AA 96 69 00 03 20 01 22"),
    (Command.SELECT, "AA AA AA 96 69 00 03 20 02 21"),
    (Command.READ, "AA AA AA 96 69 00 03 30 01 32"),
    (Command.READ_WITH_FINGERPRINT, "AA AA AA 96 69 00 03 30 10 23"),
    (Command.SET_MAX_RF_BYTES, "AA AA AA 96 69 00 04 61 FF 50 CA"),
])
def test_request_frames_are_byte_exact(command, hex_frame):
    """Given a command / when framed / then the bytes are exactly the reference's."""
    assert command.frame == bytes.fromhex(hex_frame)


def test_reply_frames_match_reference_examples():
    """Given the reference's example replies / when built / then they are byte-identical."""
    assert reply_frame(0x9F, bytes(4)) == FIND_OK
    assert reply_frame(0x80) == FIND_NO_CARD
    assert reply_frame(0x90, bytes(8)) == SELECT_OK


def test_checksum_is_xor_without_preamble():
    """Given LEN+body of the find command / then CHK is their XOR (0x22)."""
    assert checksum(bytes.fromhex("0003 2001")) == 0x22
    assert checksum(b"") == 0


def test_read_reply_is_1295_bytes_with_len_0508():
    """Given a 30 01 reply / then it is 1295 bytes, LEN 05 08, text at 14, photo at 270."""
    text, photo = bytes(range(256)), bytes([7]) * 1024
    frame = reply_frame(0x90, read_reply_data(text, photo))
    assert len(frame) == 1295
    assert frame[5:7] == b"\x05\x08"
    assert frame[10:14] == b"\x01\x00\x04\x00"
    assert frame[14:270] == text and frame[270:1294] == photo


def test_parser_reads_a_whole_reply():
    """Given a find-OK frame / when fed / then one Reply with status 9F and 4 data bytes."""
    parser = FrameParser()
    parser.feed(FIND_OK)
    assert parser.next_reply() == Reply(0, 0, 0x9F, bytes(4))
    assert parser.next_reply() is None


def test_parser_resynchronises_after_noise_including_false_preamble_starts():
    """Given noise with partial preambles before a frame / then the frame is still found."""
    parser = FrameParser()
    parser.feed(b"\x00\xff\xaa\xaa\x13\xaa\xaa\xaa\x96\x00" + FIND_NO_CARD)
    assert parser.replies() == [Reply(0, 0, 0x80, b"")]
    assert parser.discarded == 10


def test_parser_assembles_byte_by_byte_and_reports_wanted():
    """Given a select reply fed one byte at a time / then it appears only at the last byte,
    and ``wanted`` never asks for more than what completes the frame."""
    parser = FrameParser()
    for i, byte in enumerate(SELECT_OK):
        assert 1 <= parser.wanted() <= len(SELECT_OK) - i
        parser.feed(bytes([byte]))
        reply = parser.next_reply()
        assert (reply is not None) == (i == len(SELECT_OK) - 1)
    assert reply == Reply(0, 0, 0x90, bytes(8))


def test_parser_wanted_is_exactly_the_rest_once_len_is_known():
    """Given the 7-byte header of a 1295-byte read reply / then wanted() is 1288."""
    frame = reply_frame(0x90, read_reply_data(bytes(256), bytes(1024)))
    parser = FrameParser()
    assert parser.wanted() == 7
    parser.feed(frame[:7])
    assert parser.wanted() == 1288


def test_parser_splits_two_frames_in_one_chunk():
    """Given two replies in one chunk / then both come out in order."""
    parser = FrameParser()
    parser.feed(FIND_NO_CARD + FIND_OK)
    assert [r.sw3 for r in parser.replies()] == [0x80, 0x9F]


def test_bad_checksum_raises_then_parser_goes_on():
    """Given a corrupted frame followed by a good one / then a FrameChecksumError, then the
    good frame on the next call."""
    parser = FrameParser()
    parser.feed(FIND_OK[:-1] + b"\x00" + FIND_NO_CARD)
    with pytest.raises(FrameChecksumError):
        parser.next_reply()
    assert parser.next_reply() == Reply(0, 0, 0x80, b"")


@pytest.mark.parametrize("length", [b"\x00\x00", b"\x00\x03", b"\xff\xff", b"\x0a\x01"])
def test_impossible_len_raises_length_error_and_resyncs(length):
    """Given a frame with LEN too short for SW1-3+CHK or beyond the longest reply /
    then FrameLengthError, and a good frame after it still parses."""
    parser = FrameParser()
    parser.feed(b"\xaa\xaa\xaa\x96\x69" + length + FIND_NO_CARD)
    with pytest.raises(FrameLengthError):
        parser.next_reply()
    assert parser.replies() == [Reply(0, 0, 0x80, b"")]


def test_request_parser_reads_host_frames():
    """Given the emulator's side / when it gets the set-max-RF frame / then CMD, PARA, data."""
    parser = RequestParser()
    parser.feed(Command.SET_MAX_RF_BYTES.frame + Command.FIND.frame)
    first, second = parser.next_request(), parser.next_request()
    assert (first.cmd, first.para, first.data) == (0x61, 0xFF, b"\x50")
    assert (second.cmd, second.para, second.data) == (0x20, 0x01, b"")


def test_split_card_data_checks_its_length_fields():
    """Given a read reply whose length fields disagree with its size / then FrameLengthError."""
    good = read_reply_data(b"t" * 256, b"p" * 1024)
    assert split_card_data(good).photo == b"p" * 1024
    with pytest.raises(FrameLengthError):
        split_card_data(good[:-1])
    with pytest.raises(FrameLengthError):
        split_card_data(b"\x01")
    with_fp = read_reply_data(b"t" * 256, b"p" * 1024, b"f" * 1024)
    assert split_card_data(with_fp, with_fingerprint=True).fingerprint == b"f" * 1024


ALL_CODES = [0x90, 0x9F, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x37, 0x3F,
             0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81]
CARD_CODES = {0x91, 0x31, 0x32, 0x33, 0x37, 0x3F, 0x40, 0x41, 0x47, 0x80, 0x81}
SAM_CODES = {0x23, 0x24, 0x60, 0x66}
LINK_CODES = {0x10, 0x11, 0x21, 0x90, 0x9F}


def test_every_status_code_of_the_reference_is_mapped():
    """Given the reference's table / then STATUS covers exactly those 20 codes."""
    assert sorted(STATUS) == sorted(ALL_CODES)
    assert set(ALL_CODES) == CARD_CODES | SAM_CODES | LINK_CODES


@pytest.mark.parametrize("code", ALL_CODES)
def test_status_error_is_typed_with_english_and_chinese(code):
    """Given any status / then its error carries the code, an English message naming it, a
    Chinese message, and the family that tells who acts (citizen or technician)."""
    error = status_error(code, "read (30 01)")
    assert error.status == code
    assert str(error).startswith("read (30 01): ") and f"{code:02X}" in str(error)
    assert error.message_zh and error.message_zh != DeviceError.message_zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)
    if code in CARD_CODES:
        assert isinstance(error, CardReadError) and not isinstance(error, SamFault)
    elif code in SAM_CODES:
        assert isinstance(error, SamFault) and not isinstance(error, CardReadError)
    else:
        assert isinstance(error, ProtocolError)
    if code in (0x90, 0x9F):
        assert isinstance(error, UnexpectedStatus)


def test_distinct_codes_get_distinct_classes():
    """Given the 18 failure codes / then each has its own class (callers can tell them apart)."""
    classes = [STATUS[c][0] for c in ALL_CODES if c not in (0x90, 0x9F)]
    assert len(set(classes)) == len(classes)


def test_reply_expect_raises_the_typed_error():
    """Given a select answered 81 / when expecting 90 / then CardSelectFailed-like error."""
    with pytest.raises(CardReadError) as info:
        Reply(0, 0, 0x81, b"").expect(0x90, "select")
    assert info.value.status == 0x81
    assert Reply(0, 0, 0x90, b"").expect(0x90).sw3 == 0x90
    assert isinstance(status_error(0x80), NoCardFound)
    assert isinstance(status_error(0x60), SamSelfTestFailed)
    unknown = status_error(0x55)
    assert isinstance(unknown, UnknownStatus) and "55" in str(unknown)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_random_bytes_raise_only_typed_errors_and_never_hang(chunks):
    """Given arbitrary chunks / when fed and drained / then only frames or our ProtocolErrors,
    and draining always ends (each error consumes at least one byte)."""
    parser = FrameParser()
    for chunk in chunks:
        parser.feed(chunk)
        for _ in range(10_000):
            try:
                if parser.next_reply() is None:
                    break
            except ProtocolError:
                continue
        else:
            pytest.fail("parser did not settle")
        assert parser.wanted() >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40), st.integers(0, 0xFF), st.binary(max_size=300),
       st.lists(st.integers(1, 50), min_size=1, max_size=10))
def test_noise_then_frame_split_anywhere_yields_the_frame(noise, status, data, cuts):
    """Given noise without a preamble, then a reply, cut into random pieces / then exactly
    that reply comes out."""
    noise = noise.replace(b"\xaa", b"\x00")
    stream = noise + reply_frame(status, data)
    parser, got, pos = FrameParser(), [], 0
    for cut in cuts * (len(stream) // sum(cuts) + 1):
        parser.feed(stream[pos:pos + cut])
        pos += cut
        got += parser.replies()
        if pos >= len(stream):
            break
    assert got == [Reply(0, 0, status, data)]
