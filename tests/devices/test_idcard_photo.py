"""The optional WLT photo plug-in: loaded with ctypes, never able to fail a card read.

A stand-in vendor library is compiled here from a few lines of C (the real one is proprietary):
it exports ``int unpack(char *wlt, char *out, int bmp_save)`` like the vendor's Linux build.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.idcard.emulator import SamReaderEmulator
from drivers.idcard.photo import BMP_SIZE, load_photo_decoder
from drivers.idcard.sam import SamIdCardReader
from drivers.idcard.samples import SAMPLE_CARDS

FAKE_WLT = r"""
#include <string.h>
/* 102x126 24-bit BMP; refuses a WLT block starting with 0xFF like a real decoder refusing junk */
int unpack(char *wlt, char *out, int bmp_save) {
    const int size = 38862;
    if ((unsigned char)wlt[0] == 0xFF) return -1;
    memset(out, 0, size);
    out[0] = 'B'; out[1] = 'M';
    out[2] = size & 0xFF; out[3] = (size >> 8) & 0xFF;
    out[10] = 54; out[14] = 40; out[18] = 102; out[22] = 126; out[26] = 1; out[28] = 24;
    out[54] = wlt[0];
    return bmp_save ? 1 : 0;
}
int other(void) { return 0; }
"""


def compile_library(tmp_path: Path, source: str, name: str) -> str:
    if shutil.which("gcc") is None:
        pytest.skip("gcc not installed: cannot build the stand-in decoder")
    c_file = tmp_path / f"{name}.c"
    c_file.write_text(source)
    lib = tmp_path / f"lib{name}.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(lib), str(c_file)], check=True,
                   timeout=60)
    return str(lib)


def test_decoder_turns_wlt_into_a_bmp(tmp_path):
    """Given the stand-in library / when a WLT block is decoded / then a 38862-byte BMP."""
    decoder = load_photo_decoder(compile_library(tmp_path, FAKE_WLT, "wlt"))
    assert decoder is not None
    bmp = decoder.decode(b"\x41" + bytes(1023))
    assert bmp is not None and len(bmp) == BMP_SIZE == 38862
    assert bmp[:2] == b"BM" and bmp[54] == 0x41


def test_decoder_refusal_means_not_decoded(tmp_path):
    """Given the library refusing a block (returns -1) / then None, no exception."""
    decoder = load_photo_decoder(compile_library(tmp_path, FAKE_WLT, "wlt"))
    assert decoder is not None
    assert decoder.decode(b"\xff" * 1024) is None


def test_unusable_libraries_load_as_none(tmp_path):
    """Given no path, a missing file, a text file, or a library without the function /
    then no decoder (logged), never an exception."""
    junk = tmp_path / "libjunk.so"
    junk.write_text("not a library")
    lib = compile_library(tmp_path, FAKE_WLT, "wlt")
    assert load_photo_decoder(None) is None
    assert load_photo_decoder(str(tmp_path / "missing.so")) is None
    assert load_photo_decoder(str(junk)) is None
    assert load_photo_decoder(lib, function="GetBmp") is None
    assert load_photo_decoder(lib, function="other") is not None


def test_driver_with_decoder_returns_the_photo(tmp_path):
    """Given the reader configured with the decoder / when a card is read over the pty /
    then photo_bmp is the BMP and the JSON says decoded."""
    lib = compile_library(tmp_path, FAKE_WLT, "wlt")
    with SamReaderEmulator(SAMPLE_CARDS["long_term"]) as emulator:
        reader = SamIdCardReader(emulator.port, timeout=0.3, photo_decoder=lib)
        try:
            card = reader.read_card(timeout=1.0)
        finally:
            reader.close()
    assert card is not None and card.photo_bmp is not None
    assert card.photo_bmp[:2] == b"BM" and card.photo_bmp[54] == emulator.photo[0]
    assert card.to_json()["photo"] == "decoded"


def test_driver_keeps_reading_when_the_decoder_refuses(tmp_path):
    """Given a decoder that refuses the card's photo / then the card is still read."""
    lib = compile_library(tmp_path, FAKE_WLT, "wlt")
    with SamReaderEmulator(SAMPLE_CARDS["resident"], photo=b"\xff" * 1024) as emulator:
        reader = SamIdCardReader(emulator.port, timeout=0.3, photo_decoder=lib)
        try:
            card = reader.read_card(timeout=1.0)
        finally:
            reader.close()
    assert card is not None and card.name == "张三" and card.photo_bmp is None
    assert card.photo_wlt == b"\xff" * 1024
