"""The pty scaffold under every emulator: a stable path that can be unplugged and plugged back."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import serial

from drivers.pty_link import PtyLink


def test_unplug_removes_the_path_and_replug_brings_a_new_pty_under_it(tmp_path: Path) -> None:
    """Given a plugged link / when unplugged / then the path is gone and sending fails; when
    plugged back / then the same path leads to a different pty that carries bytes again."""
    with PtyLink(tmp_path / "ttyX") as link:
        port = serial.serial_for_url(link.port, timeout=1.0)
        assert link.send(b"hello") and port.read(5) == b"hello"
        link.unplug()
        assert not os.path.lexists(link.port) and link.unplugged.is_set()
        assert link.send(b"lost") is False
        port.close()
        link.plug()
        assert os.path.islink(link.port) and link.slave_name.startswith("/dev/pts/")
        port = serial.serial_for_url(link.port, timeout=1.0)
        assert link.send(b"back") and port.read(4) == b"back"
        port.close()


def test_served_link_hands_chunks_over_and_resets_after_a_replug(tmp_path: Path) -> None:
    """Given a link with a server / when the driver writes / then ``on_data`` gets the bytes;
    after a replug / then ``on_reset`` ran on the server thread before new bytes arrive."""
    got: list[bytes] = []
    resets: list[str] = []
    arrived = threading.Event()

    def on_data(chunk: bytes) -> None:
        got.append(chunk)
        arrived.set()

    with PtyLink(tmp_path / "ttyY", on_data=on_data,
                 on_reset=lambda: resets.append(threading.current_thread().name),
                 thread_name="pty-test") as link:
        port = serial.serial_for_url(link.port, timeout=1.0)
        port.write(b"\x02\x01\x31\x03")
        assert arrived.wait(2.0) and b"".join(got) == b"\x02\x01\x31\x03"
        port.close()
        link.replug()
        arrived.clear()
        got.clear()
        port = serial.serial_for_url(link.port, timeout=1.0)
        port.write(b"again")
        assert arrived.wait(2.0) and b"".join(got) == b"again"
        assert resets and set(resets) == {"pty-test"}
        port.close()
    assert not (tmp_path / "ttyY").exists()
