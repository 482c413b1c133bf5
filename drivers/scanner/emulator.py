"""A serial QR scanner on a pseudo-terminal, for tests and for trying the kiosk without hardware.

The emulator owns the master side of the shared ``drivers.pty_link.PtyLink``; the kiosk opens
``emulator.path`` like a real /dev/ttyACM0 and receives exactly the bytes a scanner sends (code +
suffix). ``unplug()`` closes the pty so the reader sees the same EIO as a pulled USB cable;
``replug()`` makes a new pty and points the link at it again (as udev does for
/dev/serial/by-id/…). Linux/macOS only (``os.openpty``). Must never be imported by the kiosk's
production code paths; it is a test instrument.
"""

from __future__ import annotations

from pathlib import Path

from drivers.pty_link import PtyLink
from drivers.scanner.framing import SUFFIXES, Suffix


class ScannerEmulator:
    """``link``: the stable path the kiosk opens (default: one in a temporary folder)."""

    def __init__(self, suffix: Suffix = "cr", *, link: str | Path | None = None,
                 encoding: str = "utf-8") -> None:
        self.suffix = suffix
        self.encoding = encoding
        # a scanner only talks: no serving thread, bytes go out when a code is "scanned"
        self.link = PtyLink(link, name="ttyScanner").start()

    @property
    def path(self) -> str:
        """What the kiosk should open: the stable link."""
        return self.link.port

    @property
    def plugged(self) -> bool:
        return self.link.plugged

    def scan(self, text: str, *, encoding: str | None = None) -> bytes:
        """Send one code as the scanner would: its bytes then the suffix. Returns the bytes."""
        data = text.encode(encoding or self.encoding) + SUFFIXES[self.suffix]
        self.send_raw(data)
        return data

    def send_raw(self, data: bytes) -> None:
        """Exact bytes onto the line (split codes, noise, garbage)."""
        if not self.link.send(data):
            raise OSError("scanner emulator is unplugged (or nobody reads its port)")

    def unplug(self) -> None:
        self.link.unplug()

    def replug(self) -> None:
        self.link.replug()

    def close(self) -> None:
        self.link.stop()

    def __enter__(self) -> ScannerEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
