"""The pseudo-terminal every protocol emulator plugs into: a pty pair behind a stable path.

A real USB serial adapter appears as ``/dev/ttyUSB0`` plus a udev link under
``/dev/serial/by-id/…`` that comes back under the same name when the cable is plugged in again.
``PtyLink`` plays that: ``port`` is a symlink to the slave side of an ``os.openpty`` pair (both
sides raw: no echo, no CR/LF mangling), the emulator owns the master side. ``unplug()`` removes
the link and closes both sides, so a driver holding the port sees exactly what a pulled cable
gives (EIO, ``termios.error`` on tcflush, pyserial's "readiness to read but returned no data");
``replug()`` makes a fresh pty and points the link at it atomically.

With ``on_data`` a thread serves the master: every chunk the driver writes is handed to
``on_data`` (the emulator's protocol), and ``send`` writes the answer back. The thread survives
unplugging and replugging; ``on_reset`` runs on it after each, so a half-received request from
before the unplug is forgotten.

Test and diagnostics equipment (emulators, device tests, benchmarks): the kiosk never imports
it. It must never touch a real serial port and never block its caller for long: ``send`` gives up
after its timeout and reports whether everything was written.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import tempfile
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from types import TracebackType


class PtyLink:
    """``link``: the stable path to create (default: ``<a temp dir>/<name>``)."""

    def __init__(self, link: str | os.PathLike[str] | None = None, *, name: str = "tty",
                 on_data: Callable[[bytes], None] | None = None,
                 on_reset: Callable[[], None] | None = None,
                 thread_name: str = "pty-link") -> None:
        self._own_dir: Path | None = None
        if link is None:
            self._own_dir = Path(tempfile.mkdtemp(prefix="pty-link-"))
            link = self._own_dir / name
        self.port = str(link)
        self._on_data, self._on_reset = on_data, on_reset
        self._thread_name = thread_name
        self._master: int | None = None
        self._slave: int | None = None
        self._fds = threading.RLock()  # plug/unplug vs. send on another thread
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self.unplugged = threading.Event()
        self.unplugged.set()

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> PtyLink:
        """Plug in and, with ``on_data``, start serving."""
        self.plug()
        if self._on_data is not None and self._thread is None:
            self._thread = threading.Thread(target=self._serve, name=self._thread_name,
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.unplug()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)

    def __enter__(self) -> PtyLink:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    @property
    def slave_name(self) -> str:
        """The pty's own device name (``/dev/pts/N``); it changes on every replug."""
        return os.readlink(self.port)

    def plug(self) -> None:
        """Plug a device in (a fresh pty behind ``port``); nothing happens if it is plugged."""
        with self._fds:
            if self._master is not None:
                return
            master, slave = os.openpty()
            tty.setraw(master)
            tty.setraw(slave)  # raw before any driver opens it: CR must not turn into LF
            os.set_blocking(master, False)
            self._master, self._slave = master, slave
            link = Path(self.port)
            tmp = link.with_name(link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(os.ttyname(slave))
            os.replace(tmp, link)  # atomic: a reconnecting driver sees the old or the new pty
            self.unplugged.clear()
        self._wake()

    def unplug(self) -> None:
        """Pull the cable: the path disappears and both ends of the pty close."""
        with self._fds:
            Path(self.port).unlink(missing_ok=True)
            for fd in (self._master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._master = self._slave = None
            self.unplugged.set()
        self._wake()

    def replug(self) -> None:
        """Unplug (if plugged) and plug a new device in under the same path."""
        self.unplug()
        self.plug()

    # ---- bytes ----------------------------------------------------------------------------
    def send(self, data: bytes, timeout: float = 2.0) -> bool:
        """Write ``data`` towards the driver; False if unplugged meanwhile or not drained in
        ``timeout`` (nobody reading and the pty buffer full)."""
        view = memoryview(data)
        deadline = time.monotonic() + timeout
        while view:
            with self._fds:
                master = self._master
                if master is None:
                    return False
                try:
                    view = view[os.write(master, view):]
                    continue
                except BlockingIOError:
                    pass
                except OSError:
                    return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with contextlib.suppress(OSError, ValueError):  # closed by an unplug meanwhile
                select.select([], [master], [], min(remaining, 0.05))
        return True

    # ---- serving --------------------------------------------------------------------------
    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _serve(self) -> None:
        assert self._on_data is not None
        while not self._stop.is_set():
            master = self._master
            fds = [self._wake_r] if master is None else [self._wake_r, master]
            try:
                ready, _, _ = select.select(fds, [], [], 0.5)
            except (OSError, ValueError):  # the master was closed by an unplug meanwhile
                continue
            if self._wake_r in ready:
                with contextlib.suppress(OSError):
                    os.read(self._wake_r, 64)
                if self._on_reset is not None:
                    self._on_reset()
                continue
            if master is None or master not in ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except BlockingIOError:
                continue
            except OSError:  # EIO: unplugged meanwhile
                chunk = b""
            if not chunk:
                self._stop.wait(0.01)  # nobody on the other side right now: no busy loop
                continue
            self._on_data(chunk)
