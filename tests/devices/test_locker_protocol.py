"""Lock-board protocols as pure functions: exact request bytes, reply framing, decoding, polarity.

No ports here: every test feeds bytes to a parser or a decoder.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.base import ProtocolError
from drivers.locker import protocol_8a as p8a
from drivers.locker import protocol_kerong as pk
from drivers.locker.base import ChecksumError, DoorState, MalformedFrame, UnexpectedReply
from drivers.locker.framing import FrameParser

H = bytes.fromhex


# ---- 8A requests --------------------------------------------------------------------------
@pytest.mark.parametrize(("frame", "expected"), [
    (p8a.open_request(1, 1), "8A 01 01 11 9B"),
    (p8a.query_all_request(1), "80 01 00 33 B2"),
    (p8a.query_request(1, 3), "80 01 03 33 B1"),
    (p8a.open_request(2, 24), "8A 02 18 11 81"),
    (p8a.open_request(1, 0), "8A 01 00 11 9A"),  # lock 0 = every lock of the board
])
def test_8a_requests_are_byte_exact(frame, expected):
    """Given the reference vectors, when building requests, then the bytes match exactly."""
    assert frame == H(expected)


def test_8a_protocol_sends_board_and_door_it_was_built_for():
    """Given board 1, when asking for the exchanges of door 1, then the requests are the vectors."""
    protocol = p8a.Protocol8A(board=1)
    assert protocol.open_exchange(1).request == H("8A 01 01 11 9B")
    assert protocol.board_exchange().request == H("80 01 00 33 B2")


# ---- 8A replies ---------------------------------------------------------------------------
def parse(parser: FrameParser, *chunks: bytes) -> tuple[list[bytes], list[ProtocolError]]:
    frames: list[bytes] = []
    errors: list[ProtocolError] = []
    for chunk in chunks:
        parser.feed(chunk)
        found, failed = parser.drain()
        frames += found
        errors += failed
    return frames, errors


def test_8a_reply_after_noise_is_found():
    """Given line noise before an open ack, when parsing, then the ack is found and the noise
    dropped without an error (noise holds no head byte)."""
    frames, errors = parse(p8a.ReplyParser8A(p8a.ReplyKind.OPEN), H("00 FF 13 8A 01 01 11 9B"))
    assert frames == [H("8A 01 01 11 9B")]
    assert errors == []


def test_8a_reply_split_byte_by_byte_is_assembled():
    """Given a query-all reply arriving one byte per read, when parsing, then one frame results
    only once the last byte is in."""
    reply = H("80 01 01 00 80 33 33")
    parser = p8a.ReplyParser8A(p8a.ReplyKind.QUERY_ALL)
    for byte in reply[:-1]:
        assert parse(parser, bytes([byte])) == ([], [])
    assert parse(parser, reply[-1:]) == ([reply], [])


def test_8a_bad_checksum_raises_then_next_frame_is_still_found():
    """Given a corrupted reply followed by a good one, when parsing, then a ChecksumError is
    raised for the first and the second is returned."""
    parser = p8a.ReplyParser8A(p8a.ReplyKind.QUERY_ONE)
    parser.feed(H("80 01 03 11 00"))
    with pytest.raises(ChecksumError, match="checksum 00, expected 93"):
        list(parser.frames())
    frames, errors = parse(parser, H("80 01 03 11 93"))
    assert frames == [H("80 01 03 11 93")]


def test_8a_false_head_in_noise_does_not_swallow_the_real_reply():
    """Given noise holding a head byte right before the real reply, when parsing, then the
    false start is reported and the real reply still comes out whole."""
    frames, errors = parse(p8a.ReplyParser8A(p8a.ReplyKind.QUERY_ONE),
                           H("80 8A 13") + H("80 01 03 11 93"))
    assert frames == [H("80 01 03 11 93")]
    assert all(isinstance(e, ChecksumError) for e in errors) and errors


def test_8a_query_all_without_its_33_marker_is_malformed():
    """Given a 7-byte frame whose 6th byte is not 33 (checksum right), then MalformedFrame."""
    body = H("80 01 00 00 00 44")
    parser = p8a.ReplyParser8A(p8a.ReplyKind.QUERY_ALL)
    parser.feed(body + bytes([p8a.checksum(body)]))
    with pytest.raises(MalformedFrame):
        list(parser.frames())


def test_8a_query_all_bits_map_lock_1_to_s1_bit0_and_lock_24_to_s3_bit7():
    """Given s1=01 s2=00 s3=80, when decoding with open_bit=1, then exactly locks 1 and 24 are
    open; with open_bit=0 every other lock is open."""
    frame = H("80 01 01 00 80 33 33")
    report = p8a.decode_board_reply(frame, open_bit=1)
    assert [i + 1 for i, o in enumerate(report.is_open) if o] == [1, 24]
    inverted = p8a.decode_board_reply(frame, open_bit=0)
    assert [i + 1 for i, o in enumerate(inverted.is_open) if not o] == [1, 24]


@pytest.mark.parametrize(("frame", "open_bit", "is_open"), [
    ("8A 01 01 11 9B", 1, True),
    ("8A 01 01 00 8A", 1, False),
    ("8A 01 01 11 9B", 0, False),
    ("8A 01 01 00 8A", 0, True),
    ("80 01 03 11 93", 1, True),
    ("80 01 03 00 82", 1, False),
])
def test_8a_lock_reply_status_honours_polarity(frame, open_bit, is_open):
    """Given a lock reply and a polarity, when decoding, then 11/00 mean bit 1/bit 0."""
    assert p8a.decode_lock_reply(H(frame), open_bit).is_open is is_open


def test_8a_unknown_status_byte_is_an_unexpected_reply():
    """Given status 33 (what an adapter echoing our query would show), then UnexpectedReply."""
    with pytest.raises(UnexpectedReply, match="status byte 33"):
        p8a.decode_lock_reply(H("80 01 03 33 B1"))


def test_8a_reply_from_another_board_is_rejected():
    """Given board 1's exchange, when board 2 answers, then UnexpectedReply names both."""
    exchange = p8a.Protocol8A(board=1).door_exchange(3)
    with pytest.raises(UnexpectedReply, match="board 2 lock 3, expected board 1 lock 3"):
        exchange.decode(H("80 02 03 11 90"))


def test_8a_board_exchange_lists_only_fitted_doors():
    """Given a 12-door board, when decoding a query-all, then doors 1-12 come back."""
    states = p8a.Protocol8A(board=1, doors=12).board_exchange().decode(H("80 01 01 00 80 33 33"))
    assert list(states) == list(range(1, 13))
    assert states[1] == DoorState(is_open=True) and states[12] == DoorState(is_open=False)


# ---- Kerong -------------------------------------------------------------------------------
@pytest.mark.parametrize(("addressing", "board", "lock", "expected"), [
    ("board_high_nibble", 0, 1, "02 00 31 03 36"),
    ("board_high_nibble", 1, 2, "02 11 31 03 47"),
    ("board_high_nibble", 2, 16, "02 2F 31 03 65"),
    ("lock_only", 7, 5, "02 04 31 03 3A"),
])
def test_kerong_unlock_requests_are_byte_exact(addressing, board, lock, expected):
    """Given an addressing scheme, when building an unlock, then ADDR and SUM are exact."""
    addr = pk.lock_address(pk.Addressing(addressing), board, lock)
    assert pk.unlock_request(addr) == H(expected)


def test_kerong_read_state_request_addresses_the_board():
    """Given board 1 (high nibble) or one board per bus, then the state read is exact."""
    assert pk.read_state_request(pk.board_address(pk.Addressing.BOARD_HIGH_NIBBLE, 1)) == \
        H("02 10 30 03 45")
    assert pk.read_state_request(pk.board_address(pk.Addressing.LOCK_ONLY, 9)) == \
        H("02 00 30 03 35")


def test_kerong_state_reply_decodes_latches_and_infrared():
    """Given L1-8=05 L9-16=80 IR1-8=01, when decoding, then locks 1, 3, 16 are open and only
    compartment 1 holds an item."""
    frame = H("02 00 35 05 80 01 00 03 C0")
    parser = pk.ReplyParserKerong()
    assert parse(parser, frame[:4], frame[4:]) == ([frame], [])
    state = pk.decode_state(frame)
    assert [i + 1 for i, o in enumerate(state.latch_open) if o] == [1, 3, 16]
    assert [i + 1 for i, o in enumerate(state.item_present) if o] == [1]
    inverted = pk.decode_state(frame, open_bit=0)
    assert not inverted.latch_open[0] and inverted.latch_open[1]
    assert inverted.item_present == state.item_present  # polarity is about latches only


def test_kerong_door_exchange_reports_item_presence():
    """Given a state reply, when the door exchange decodes it, then the door carries both bits."""
    exchange = pk.ProtocolKerong(board=0).door_exchange(1)
    assert exchange.decode(H("02 00 35 05 80 01 00 03 C0")) == DoorState(True, True)


def test_kerong_frame_without_etx_is_malformed_and_bad_sum_is_checksum_error():
    """Given a frame missing ETX and one with a wrong SUM, then the typed errors differ."""
    parser = pk.ReplyParserKerong()
    parser.feed(H("02 00 31 04 37"))
    with pytest.raises(MalformedFrame, match="expected ETX"):
        list(parser.frames())
    parser = pk.ReplyParserKerong()
    parser.feed(H("02 00 35 05 80 01 00 03 C1"))
    with pytest.raises(ChecksumError):
        list(parser.frames())


def test_kerong_noise_and_a_false_stx_before_the_reply():
    """Given noise with an STX in it before a state reply, then the reply is still found."""
    frame = H("02 10 35 00 00 00 00 03 4A")
    frames, _ = parse(pk.ReplyParserKerong(), H("FF 02 00"), frame)
    assert frames == [frame]


def test_kerong_reply_from_another_board_is_rejected():
    """Given board 1 (ADDR 10), when board 2 (ADDR 20) answers, then UnexpectedReply."""
    exchange = pk.ProtocolKerong(board=1).board_exchange()
    with pytest.raises(UnexpectedReply, match="from board 2, expected board 1"):
        exchange.decode(pk.state_reply(0x20, 0, 0))


def test_kerong_bare_unlock_ack_says_nothing_about_the_latch():
    """Given an unlock answered by ``02 AD 31 03 SUM``, then the ack decodes to None."""
    assert pk.ProtocolKerong(board=0).open_exchange(1).decode(H("02 00 31 03 36")) is None


# ---- properties ---------------------------------------------------------------------------
PARSERS = {
    "8a-open": lambda: p8a.ReplyParser8A(p8a.ReplyKind.OPEN),
    "8a-one": lambda: p8a.ReplyParser8A(p8a.ReplyKind.QUERY_ONE),
    "8a-all": lambda: p8a.ReplyParser8A(p8a.ReplyKind.QUERY_ALL),
    "kerong": pk.ReplyParserKerong,
}
DECODERS = {
    "8a-open": lambda f: p8a.decode_lock_reply(f, 0),
    "8a-one": p8a.decode_lock_reply,
    "8a-all": p8a.decode_board_reply,
    "kerong": pk.decode_state,
}

CHECKSUMS = {"8a-open": p8a.checksum, "8a-one": p8a.checksum, "8a-all": p8a.checksum,
             "kerong": pk.checksum}


@settings(max_examples=300, deadline=200)
@given(kind=st.sampled_from(sorted(PARSERS)),
       chunks=st.lists(st.binary(max_size=40), max_size=12))
def test_random_bytes_raise_only_typed_errors_and_never_hang(kind, chunks):
    """Given any bytes in any chunks, when parsing and decoding, then only ProtocolError
    subclasses are raised, every frame returned passes its checks, and the parser holds back
    no more than one frame's worth of bytes."""
    parser = PARSERS[kind]()
    for chunk in chunks:
        parser.feed(chunk)
        while True:  # terminates: every error drops at least one byte
            try:
                for frame in parser.frames():
                    assert CHECKSUMS[kind](frame[:-1]) == frame[-1]
                    with contextlib.suppress(ProtocolError):
                        DECODERS[kind](frame)
                break
            except ProtocolError:
                continue
        assert parser.pending <= 9


@settings(max_examples=200, deadline=200)
@given(noise=st.binary(max_size=20).map(lambda b: bytes(x for x in b if x not in (0x80, 0x8A))),
       cuts=st.lists(st.integers(min_value=1, max_value=6), max_size=6),
       board=st.integers(0, 255), bits=st.integers(0, 2**24 - 1))
def test_8a_any_query_all_reply_after_headless_noise_in_any_split_is_found(noise, cuts, board,
                                                                          bits):
    """Given noise without head bytes and a valid query-all reply cut anywhere, when parsing,
    then exactly that reply is returned and decodes to its bits."""
    body = bytes([0x80, board]) + bits.to_bytes(3, "little") + b"\x33"
    reply = body + bytes([p8a.checksum(body)])
    stream, chunks, at = noise + reply, [], 0
    for cut in cuts:
        chunks.append(stream[at:at + cut])
        at += cut
    chunks.append(stream[at:])
    frames, errors = parse(p8a.ReplyParser8A(p8a.ReplyKind.QUERY_ALL), *chunks)
    assert frames == [reply] and errors == []
    decoded = p8a.decode_board_reply(reply).is_open
    assert decoded == tuple(bool(bits >> i & 1) for i in range(24))


@settings(max_examples=200, deadline=200)
@given(noise=st.binary(max_size=20).map(lambda b: b.replace(b"\x02", b"")),
       split=st.integers(0, 9), addr=st.integers(0, 255),
       latch=st.integers(0, 0xFFFF), ir=st.integers(0, 0xFFFF))
def test_kerong_any_state_reply_after_headless_noise_in_any_split_is_found(noise, split, addr,
                                                                         latch, ir):
    """Given noise without STX and a valid state reply split at any point, then it is found
    whole and decodes to its latch and infrared bits."""
    reply = pk.state_reply(addr, latch, ir)
    stream = noise + reply
    at = len(noise) + split
    frames, errors = parse(pk.ReplyParserKerong(), stream[:at], stream[at:])
    assert frames == [reply] and errors == []
    state = pk.decode_state(reply)
    assert state.latch_open == tuple(bool(latch >> i & 1) for i in range(16))
    assert state.item_present == tuple(bool(ir >> i & 1) for i in range(16))
