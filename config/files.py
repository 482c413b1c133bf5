"""Read a file a person handed the kiosk (site file, catalogue, appointment export, photo) safely.

A technician's typo can name a FIFO (blocks forever), ``/dev/zero`` (grows without bound), a
folder, or a 2 GB log instead of a 20 KB TOML file. ``read_bounded`` refuses everything but a
regular file no larger than the caller's limit, before reading a byte of it, and says why in
words that fit the one error line. ``text_of`` decodes bytes as UTF-8 and names the encoding it
found instead (UTF-16 from Windows Notepad, GB18030 from Excel) so the fix is obvious.

This module must never print, log, or show the file's contents in an error (an appointment
export holds names and ID numbers).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(ValueError):
    """The file cannot be used. ``found`` and ``expected`` complete "found …, expected …"."""

    def __init__(self, path: Path | str, found: str, expected: str) -> None:
        self.path, self.found, self.expected = str(path), found, expected
        super().__init__(f"{self.path}: found {found}, expected {expected}")


def _size_words(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} KiB"
    return f"{n} bytes"


def read_bounded(path: Path | str, limit: int, what: str = "a file") -> bytes:
    """The bytes of ``path``: a regular file of at most ``limit`` bytes, else ``FileRefused``.

    The type and size come from ``stat`` before opening (opening a FIFO would block), and the
    read is bounded too (a file growing between the two is refused, not swallowed)."""
    p = Path(path)
    try:
        info = os.stat(p)
    except FileNotFoundError:
        raise FileRefused(p, "no such file", what) from None
    except PermissionError:
        raise FileRefused(p, "no permission to read it", what) from None
    except OSError as exc:
        raise FileRefused(p, f"a path that cannot be read ({exc.strerror})", what) from None
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused(p, "a directory", what)
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode)
                else "a device file" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a socket" if stat.S_ISSOCK(info.st_mode) else "a special file")
        raise FileRefused(p, kind, what)
    if info.st_size > limit:
        raise FileRefused(p, f"a file of {_size_words(info.st_size)}",
                          f"{what} of at most {_size_words(limit)}")
    try:
        with open(p, "rb") as fh:
            data = fh.read(limit + 1)
    except PermissionError:
        raise FileRefused(p, "no permission to read it", what) from None
    except OSError as exc:
        raise FileRefused(p, f"a file that cannot be read ({exc.strerror})", what) from None
    if len(data) > limit:
        raise FileRefused(p, "a file still growing past the limit",
                          f"{what} of at most {_size_words(limit)}")
    return data


def text_of(path: Path | str, data: bytes, what: str = "UTF-8 text") -> str:
    """``data`` decoded as UTF-8 (a leading BOM dropped), or ``FileRefused`` naming what it is."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(path, "UTF-16 text (saved as \"Unicode\")",
                          f"{what}: save it again as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            data.decode("gb18030")
            found = f"bytes that are not UTF-8 at byte {exc.start} (GBK/GB18030 text?)"
        except UnicodeDecodeError:
            found = f"bytes that are not UTF-8 at byte {exc.start}"
        raise FileRefused(path, found, f"{what}: save it again as UTF-8") from None
