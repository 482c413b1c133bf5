"""A serial QR scanner on a pseudo-terminal, for tests and for trying the kiosk without hardware.

The emulator owns the master side of a pty; the kiosk opens ``emulator.path`` like a real
/dev/ttyACM0 and receives exactly the bytes a scanner sends (code + suffix). ``unplug()`` closes
the pty so the reader sees the same EIO as a pulled USB cable; ``replug()`` makes a new pty and,
when a ``link`` path was given, points the link at it again (as udev does for
/dev/serial/by-id/…). Linux/macOS only (``os.openpty``). Must never be imported by the kiosk's
production code paths; it is a test instrument.
"""

from __future__ import annotations

import os
import tty
from pathlib import Path

from drivers.scanner.framing import SUFFIXES, Suffix


class ScannerEmulator:
    def __init__(self, suffix: Suffix = "cr", *, link: str | Path | None = None,
                 encoding: str = "utf-8") -> None:
        self.suffix = suffix
        self.encoding = encoding
        self.link = Path(link) if link is not None else None
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_name = ""
        self.replug()

    @property
    def path(self) -> str:
        """What the kiosk should open: the stable link if there is one, else the pty itself."""
        return str(self.link) if self.link is not None else self._slave_name

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def scan(self, text: str, *, encoding: str | None = None) -> bytes:
        """Send one code as the scanner would: its bytes then the suffix. Returns the bytes."""
        data = text.encode(encoding or self.encoding) + SUFFIXES[self.suffix]
        self.send_raw(data)
        return data

    def send_raw(self, data: bytes) -> None:
        """Exact bytes onto the line (split codes, noise, garbage)."""
        if self._master is None:
            raise OSError("scanner emulator is unplugged")
        view = memoryview(data)
        while view:
            view = view[os.write(self._master, view):]

    def unplug(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        if self.link is not None:
            self.link.unlink(missing_ok=True)

    def replug(self) -> None:
        self.unplug()
        self._master, self._slave = os.openpty()
        # Raw from the start: in the default cooked mode the line discipline would turn CR into
        # LF before the kiosk had a chance to open the port and set raw mode itself.
        tty.setraw(self._slave)
        self._slave_name = os.ttyname(self._slave)
        if self.link is not None:
            self.link.unlink(missing_ok=True)
            self.link.symlink_to(self._slave_name)

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> ScannerEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
