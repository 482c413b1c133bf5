"""A receipt printer that is not there: speaks ESC/POS status byte for byte over a pty or TCP.

For tests and bench demos: it records every byte it receives and answers ``DLE EOT 1`` and
``DLE EOT 4`` with the status bytes of a real printer that has paper, is near the end, is out,
is offline, or stays silent. It can run out of paper or hang up after N bytes, to show a
failure in the middle of a job. It never interprets other commands: the tests compare the
recorded bytes with what the renderer produced.
"""

from __future__ import annotations

import enum
import os
import select
import socket
import threading
from types import TracebackType

from drivers.printer.base import PaperStatus
from drivers.pty_link import PtyLink

DLE, EOT = 0x10, 0x04


class Answer(enum.StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    OFFLINE = "offline"
    SILENT = "silent"
    GARBAGE = "garbage"


# (reply to DLE EOT 1, reply to DLE EOT 4) as an Epson-compatible printer sends them
REPLIES: dict[Answer, tuple[bytes, bytes]] = {
    Answer.OK: (b"\x12", b"\x12"),
    Answer.NEAR_END: (b"\x12", b"\x1e"),
    Answer.OUT: (b"\x1a", b"\x72"),  # out of paper also stops the printer: offline bit set
    Answer.OFFLINE: (b"\x1a", b"\x12"),
    Answer.SILENT: (b"", b""),
    Answer.GARBAGE: (b"\xff", b"\xff"),
}

EXPECTED: dict[Answer, PaperStatus] = {
    Answer.OK: PaperStatus.OK, Answer.NEAR_END: PaperStatus.NEAR_END,
    Answer.OUT: PaperStatus.OUT, Answer.OFFLINE: PaperStatus.OFFLINE,
    Answer.SILENT: PaperStatus.OFFLINE,
}


class EmulatorCore:
    """The protocol half, no I/O: ``feed(bytes) -> reply``; thread-safe."""

    def __init__(self, answer: Answer = Answer.OK) -> None:
        self._answer = answer
        self._received = bytearray()
        self._state = 0  # 0: data, 1: after DLE, 2: after DLE EOT
        self._cond = threading.Condition()
        self.paper_out_after: int | None = None  # runs out of paper once this many bytes came
        self.hang_up_after: int | None = None  # transport closes once this many bytes came
        self.queries: list[int] = []

    @property
    def answer(self) -> Answer:
        with self._cond:
            return self._answer

    @answer.setter
    def answer(self, value: Answer) -> None:
        with self._cond:
            self._answer = value

    @property
    def received(self) -> bytes:
        with self._cond:
            return bytes(self._received)

    def should_hang_up(self) -> bool:
        with self._cond:
            return self.hang_up_after is not None and len(self._received) >= self.hang_up_after

    def feed(self, data: bytes) -> bytes:
        reply = bytearray()
        with self._cond:
            for byte in data:
                self._received.append(byte)
                if self.paper_out_after is not None and len(self._received) >= self.paper_out_after:
                    self._answer = Answer.OUT
                if self._state == 2:
                    self._state = 0
                    self.queries.append(byte)
                    printer, paper = REPLIES[self._answer]
                    reply += printer if byte == 1 else paper if byte == 4 else b""
                elif self._state == 1 and byte == EOT:
                    self._state = 2
                else:
                    self._state = 1 if byte == DLE else 0
            self._cond.notify_all()
        return bytes(reply)

    def wait_for(self, count: int, timeout: float = 5.0) -> bytes:
        """Block until at least ``count`` bytes arrived (or the timeout); returns them."""
        with self._cond:
            self._cond.wait_for(lambda: len(self._received) >= count, timeout)
            return bytes(self._received)


class _Runner:
    def __init__(self, answer: Answer) -> None:
        self.core = EmulatorCore(answer)
        self._stop_r, self._stop_w = os.pipe()
        self._thread: threading.Thread | None = None

    def _start(self, target: object, name: str) -> None:
        self._thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        self._thread.start()

    def stop(self) -> None:
        os.write(self._stop_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        os.close(self._stop_r)
        os.close(self._stop_w)

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class PtyPrinterEmulator:
    """A serial printer on the shared ``PtyLink``; open ``.port`` with pyserial like a real
    printer's port. ``unplug()``/``replug()`` pull and plug its cable (same path)."""

    def __init__(self, answer: Answer = Answer.OK) -> None:
        self.core = EmulatorCore(answer)
        self.link = PtyLink(name="ttyPrinter", on_data=self._on_data,
                            thread_name="printer-emulator-pty").start()
        self.port = self.link.port

    def _on_data(self, data: bytes) -> None:
        reply = self.core.feed(data)
        if self.core.should_hang_up():
            self.link.unplug()  # like a cable pulled mid-job
            return
        if reply:
            self.link.send(reply)

    def unplug(self) -> None:
        self.link.unplug()

    def replug(self) -> None:
        self.link.plug()

    def stop(self) -> None:
        self.link.stop()

    def __enter__(self) -> PtyPrinterEmulator:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class TcpPrinterEmulator(_Runner):
    """A network printer on 127.0.0.1 (ephemeral port); ``.host``, ``.port``, ``.address``."""

    def __init__(self, answer: Answer = Answer.OK) -> None:
        super().__init__(answer)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = self._server.getsockname()[:2]
        self.address = f"{self.host}:{self.port}"
        self._start(self._serve, "printer-emulator-tcp")

    def _serve(self) -> None:
        with self._server:
            while True:
                ready, _, _ = select.select([self._server, self._stop_r], [], [])
                if self._stop_r in ready:
                    return
                conn, _ = self._server.accept()
                with conn:
                    if not self._talk(conn):
                        return

    def _talk(self, conn: socket.socket) -> bool:
        """Serve one client until it leaves (True) or we are stopped (False)."""
        while True:
            ready, _, _ = select.select([conn, self._stop_r], [], [])
            if self._stop_r in ready:
                return False
            try:
                data = conn.recv(4096)
            except OSError:
                return True
            if not data:
                return True
            reply = self.core.feed(data)
            if self.core.should_hang_up():
                return True
            if reply:
                conn.sendall(reply)
