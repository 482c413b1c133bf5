"""The shared serial transport: every way a port says "gone" becomes one typed error.

Real pseudo-terminals (``drivers.pty_link``) show what a pulled cable does to each call; the
closed-fd quirks pyserial has (``TypeError``/``AttributeError``) are reproduced with a port
object that raises them, since they need a race to happen for real.
"""

from __future__ import annotations

import errno
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from drivers.base import DeviceTimeout, DeviceUnplugged
from drivers.pty_link import PtyLink
from drivers.serial_transport import SerialTransport


def transport(url: str, **settings: object) -> SerialTransport:
    settings.setdefault("timeout", 0.2)
    return SerialTransport(url, device="test device", open_hint="check the test rig",
                           lost_hint="replug the test rig", message_zh="测试设备未连接",
                           **settings)


@pytest.fixture
def link(tmp_path: Path) -> Iterator[PtyLink]:
    with PtyLink(tmp_path / "ttyTest") as pty:
        yield pty


def test_loop_url_round_trip() -> None:
    """Given ``loop://`` / when bytes are written / then they are read back: ports by URL."""
    line = transport("loop://")
    line.write(b"\xaa\xaa\xaa\x96\x69")
    assert line.read(5) == b"\xaa\xaa\xaa\x96\x69"
    line.close()


def test_read_available_takes_a_whole_burst_and_returns_empty_on_silence(link: PtyLink) -> None:
    """Given a burst waiting on the line / then one call returns all of it; given silence /
    then ``b""`` after the timeout, no exception."""
    line = transport(link.port)
    line.open()
    assert link.send(b"A-0042\r")
    got = b""
    while len(got) < 7:
        chunk = line.read_available(0.5)
        assert chunk, "the burst never arrived"
        got += chunk
    assert got == b"A-0042\r"
    assert line.read_available(0.05) == b""
    line.close()


def test_missing_port_is_unplugged_naming_the_url_and_the_hint(tmp_path: Path) -> None:
    line = transport(str(tmp_path / "ttyNothing"))
    with pytest.raises(DeviceUnplugged, match="ttyNothing.*cannot be opened.*test rig") as e:
        line.open()
    assert e.value.message_zh == "测试设备未连接"
    assert not line.is_open


@pytest.mark.parametrize(("call", "raised_by_pyserial"), [
    ("reset_input", termios.error),   # tcflush on a hung-up pty: not an OSError
    ("flush", termios.error),         # tcdrain, likewise
    ("in_waiting", OSError),          # FIONREAD: EIO
    ("read", serial.SerialException),  # "readiness to read but returned no data"
    ("write", serial.SerialException),  # write failed: EIO
])
def test_each_call_on_an_unplugged_pty_raises_device_unplugged_and_drops_the_port(
        link: PtyLink, call: str, raised_by_pyserial: type[BaseException]) -> None:
    """Given an open port whose pty was unplugged / when ``call`` is made / then
    DeviceUnplugged naming the URL (caused by what pyserial raised) and the port is dropped;
    after a replug / then the next call reopens it and works."""
    line = transport(link.port)
    line.open()
    link.unplug()
    args = {"read": (1,), "write": (b"x",)}.get(call, ())
    with pytest.raises(DeviceUnplugged, match="disconnected during") as e:
        getattr(line, call)(*args)
    assert link.port in str(e.value)
    assert isinstance(e.value.__cause__, raised_by_pyserial)
    assert not line.is_open
    link.replug()
    line.write(b"back")
    assert line.is_open
    line.close()


@pytest.mark.parametrize("quirk", [TypeError("'NoneType' object cannot be interpreted"),
                                   AttributeError("'NoneType' object has no attribute 'fileno'"),
                                   OSError(errno.ENXIO, "No such device or address")])
def test_closed_fd_quirks_are_unplugged_too(monkeypatch: pytest.MonkeyPatch,
                                            quirk: BaseException) -> None:
    """Given a port closed under pyserial by another thread (fd gone) / when reading / then
    DeviceUnplugged, not the bare TypeError/AttributeError/ENXIO."""

    class ClosedUnderUs(serial.serial_for_url("loop://").__class__):  # type: ignore[misc]
        def read(self, size: int = 1) -> bytes:
            raise quirk

    monkeypatch.setattr(serial, "serial_for_url",
                        lambda url, **kw: ClosedUnderUs(url, **kw))
    line = transport("loop://")
    with pytest.raises(DeviceUnplugged) as e:
        line.read(1)
    assert e.value.__cause__ is quirk
    assert not line.is_open


def test_a_write_that_never_drains_is_a_timeout(link: PtyLink) -> None:
    """Given a device that stops reading (flow held, buffer full) / when writing more than the
    line holds / then DeviceTimeout after ``write_timeout``, never a hang."""
    line = transport(link.port, write_timeout=0.2)
    with pytest.raises(DeviceTimeout, match="did not take"):
        line.write(bytes(1 << 20))
