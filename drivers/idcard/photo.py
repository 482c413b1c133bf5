"""Optional plug-in: the reader vendor's WLT→BMP photo decoder, loaded with ctypes at run time.

The card photo is 1024 bytes of WLT, a format only the vendor's shared library decodes. Its usual
Linux export is ``int unpack(char *wlt, char *out, int bmp_save)`` returning 1 on success and
writing a 102×126 24-bit BMP (38862 bytes) into ``out``. The library path (and, if the vendor
named it differently, the function) is configured; nothing here ships or downloads one.
This module must never make a card read fail: a missing, broken or misbehaving library only means
the photo stays "not decoded". (A library that crashes the process cannot be caught in-process;
that is why it is opt-in.)
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

PHOTO_WIDTH, PHOTO_HEIGHT = 102, 126
BMP_SIZE = 54 + ((PHOTO_WIDTH * 3 + 3) // 4 * 4) * PHOTO_HEIGHT  # 38862
_OUT_CAPACITY = 64 * 1024  # generous: some builds write a larger header or padding


class WltPhotoDecoder:
    """A loaded vendor decoder. Build it with ``load_photo_decoder`` (which never raises)."""

    def __init__(self, library: str, function: str = "unpack") -> None:
        self.library = library
        lib = ctypes.CDLL(library)  # OSError if missing or not a shared library
        fn = getattr(lib, function)  # AttributeError if the symbol is not exported
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        fn.restype = ctypes.c_int
        self._unpack = fn

    def decode(self, wlt: bytes) -> bytes | None:
        """The photo as BMP bytes, or None if the library refused or returned something odd."""
        out = ctypes.create_string_buffer(_OUT_CAPACITY)
        try:
            code = self._unpack(wlt, out, 1)
        except Exception as exc:  # a plug-in may raise anything through ctypes; never fail a read
            log.warning("photo decoder %s raised %s; photo not decoded", self.library, exc)
            return None
        raw = out.raw
        if code != 1 or raw[:2] != b"BM":
            log.warning("photo decoder %s returned %d without a BMP; photo not decoded",
                        self.library, code)
            return None
        size = int.from_bytes(raw[2:6], "little")
        if not 54 < size <= _OUT_CAPACITY:
            log.warning("photo decoder %s wrote a BMP header claiming %d bytes; photo not "
                        "decoded", self.library, size)
            return None
        return raw[:size]


def load_photo_decoder(library: str | None, function: str = "unpack") -> WltPhotoDecoder | None:
    """The configured decoder, or None (logged) when none is configured or it cannot be loaded."""
    if not library:
        return None
    try:
        return WltPhotoDecoder(library, function)
    except (OSError, AttributeError) as exc:
        log.warning("photo decoder %s unavailable (%s); card photos will not be decoded",
                    library, exc)
        return None
