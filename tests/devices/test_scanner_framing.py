"""SuffixFramer and decode_code: a serial scanner's exact bytes in, codes out (no port)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.base import ProtocolError
from drivers.scanner.framing import SUFFIXES, SuffixFramer, decode_code

GAP = 0.05


@pytest.mark.parametrize(("suffix", "stream", "codes"), [
    ("cr", b"A-0042\r", [b"A-0042"]),
    ("lf", b"A-0042\n", [b"A-0042"]),
    ("crlf", b"A-0042\r\n", [b"A-0042"]),
    ("cr", b"A-0042\rB-0043\rC-0044\r", [b"A-0042", b"B-0043", b"C-0044"]),
    ("crlf", b"A-0042\r\nB-0043\r\n", [b"A-0042", b"B-0043"]),
    # a code may contain a lone CR when the suffix is CR LF
    ("crlf", b"LINE1\rLINE2\r\n", [b"LINE1\rLINE2"]),
    # scanner set to CR LF while the kiosk expects CR, or LF: no stray control characters
    ("cr", b"A-0042\r\nB-0043\r\n", [b"A-0042", b"B-0043"]),
    ("lf", b"A-0042\r\nB-0043\r\n", [b"A-0042", b"B-0043"]),
    # noise: NUL from a floating line, XON/XOFF; empty codes from repeated suffixes
    ("cr", b"\x00\x00A-00\x1142\r\r\r\x13", [b"A-0042"]),
    # GS1 group separator is data, not noise
    ("cr", b"(01)0123\x1d(10)AB\r", [b"(01)0123\x1d(10)AB"]),
])
def test_whole_stream_gives_codes(suffix, stream, codes):
    """Given a framer for ``suffix``, when the whole stream arrives in one read,
    then exactly the expected codes come out, suffix and noise stripped."""
    framer = SuffixFramer(suffix)
    assert framer.feed(stream, 0.0) == codes
    assert framer.pending == b""


def test_code_split_over_reads_and_suffix_split_between_cr_and_lf():
    """Given suffix CR LF, when a code and its suffix arrive in pieces (CR in one read, LF in the
    next), then the code comes out once, when the LF arrives, and nothing before."""
    framer = SuffixFramer("crlf")
    assert framer.feed(b"A-", 0.0) == []
    assert framer.feed(b"0042\r", 0.001) == []
    assert framer.pending == b"A-0042\r"
    assert framer.feed(b"\nB-00", 0.002) == [b"A-0042"]
    assert framer.feed(b"43\r\n", 0.003) == [b"B-0043"]


def test_no_suffix_code_ends_after_silence():
    """Given suffix none and a 50 ms gap, when bytes arrive 10 ms apart, then no code comes out
    until 50 ms of silence have passed after the last byte."""
    framer = SuffixFramer("none", gap=GAP)
    assert framer.feed(b"A-00", 0.000) == []
    assert framer.feed(b"42", 0.010) == []
    assert framer.poll(0.040) == []
    assert framer.poll(0.070) == [b"A-0042"]
    assert framer.poll(1.000) == []


def test_no_suffix_next_code_after_gap_closes_previous():
    """Given suffix none, when the next code starts after a gap without a poll in between,
    then the previous code comes out on that feed and the new one stays pending."""
    framer = SuffixFramer("none", gap=GAP)
    assert framer.feed(b"FIRST", 0.0) == []
    assert framer.feed(b"SECOND", 1.0) == [b"FIRST"]
    assert framer.pending == b"SECOND"
    assert framer.poll(2.0) == [b"SECOND"]


def test_overlong_code_is_discarded_and_framing_resumes():
    """Given max_length 8, when 10 bytes arrive without a suffix, then they are dropped and
    counted, the tail up to the next suffix is dropped too, and the next code is intact."""
    framer = SuffixFramer("cr", max_length=8)
    assert framer.feed(b"0123456789", 0.0) == []
    assert framer.overflows == 1
    assert framer.feed(b"AB\rOK-1\r", 0.1) == [b"OK-1"]


def test_reset_forgets_half_code():
    """Given a half-received code, when the framer is reset (reconnect), then its bytes are gone."""
    framer = SuffixFramer("cr")
    framer.feed(b"HALF", 0.0)
    framer.reset()
    assert framer.feed(b"WHOLE\r", 0.1) == [b"WHOLE"]


def test_bad_settings_rejected():
    """Given an unknown suffix or a zero gap, when a framer is made, then ValueError."""
    with pytest.raises(ValueError, match="suffix"):
        SuffixFramer("tab")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="gap"):
        SuffixFramer("none", gap=0)


@pytest.mark.parametrize(("raw", "text"), [
    ("办事大厅 A-0042".encode(), "办事大厅 A-0042"),
    (b"\xb0\xec\xca\xc2\xb4\xf3\xcc\xfc", "办事大厅"),  # GB18030 from an older scanner
    (b"plain ascii", "plain ascii"),
])
def test_decode_utf8_then_gb18030(raw, text):
    """Given a code's bytes, when decoded, then UTF-8 wins and GB18030 is the fallback."""
    assert decode_code(raw) == text


def test_undecodable_bytes_raise_protocol_error_with_hex():
    """Given bytes that are neither UTF-8 nor GB18030 (wrong baud rate), when decoded,
    then ProtocolError shows the bytes in hex and tells the citizen to scan again."""
    with pytest.raises(ProtocolError) as info:
        decode_code(b"\xff\xfe\x80")
    assert "ff fe 80" in str(info.value)
    assert info.value.message_zh == "扫码内容无法识别，请重新扫码"


_code_text = st.text(
    alphabet=st.characters(blacklist_characters="\r\n\x00\x11\x13", blacklist_categories=("Cs",)),
    min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(codes=st.lists(_code_text, min_size=1, max_size=6),
       suffix=st.sampled_from(["cr", "lf", "crlf"]),
       cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_any_split_gives_the_same_codes(codes, suffix, cuts):
    """Given codes with a suffix, when the stream is cut into reads at arbitrary points,
    then the framer returns exactly the codes, in order, whatever the cuts."""
    stream = b"".join(c.encode() + SUFFIXES[suffix] for c in codes)
    bounds = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    framer = SuffixFramer(suffix)
    out = []
    for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        out += framer.feed(stream[a:b], i * 0.001)
    assert [decode_code(raw) for raw in out] == codes
    assert framer.pending == b""


@settings(max_examples=100, deadline=None)
@given(codes=st.lists(_code_text, min_size=1, max_size=5),
       pieces=st.integers(min_value=1, max_value=5))
def test_no_suffix_codes_separated_by_silence(codes, pieces):
    """Given suffix none, when each code arrives in pieces 10 ms apart and codes are 200 ms apart,
    then each code comes out whole."""
    framer = SuffixFramer("none", gap=GAP)
    out, t = [], 0.0
    for code in codes:
        raw = code.encode()
        step = max(1, len(raw) // pieces)
        for i in range(0, len(raw), step):
            out += framer.feed(raw[i:i + step], t)
            t += 0.01
        t += 0.2
        out += framer.poll(t)
    assert [decode_code(raw) for raw in out] == codes


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.binary(max_size=64), max_size=10),
       suffix=st.sampled_from(["cr", "lf", "crlf"]))
def test_arbitrary_bytes_never_crash_nor_leak_suffix(chunks, suffix):
    """Given arbitrary line garbage, when fed, then the framer never raises, never returns an
    empty code, and no code contains the terminator or noise bytes."""
    framer = SuffixFramer(suffix, max_length=100)
    for i, chunk in enumerate(chunks):
        for raw in framer.feed(chunk, float(i)):
            assert raw
            assert SUFFIXES[suffix] not in raw
            assert not set(raw) & {0x00, 0x11, 0x13}
