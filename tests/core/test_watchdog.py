"""systemd's notify protocol over a real unix datagram socket: READY, watchdog pings, no-ops."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.watchdog import SystemdNotifier, WatchdogFeeder, watchdog_interval


class FakeTime:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[socket.socket]:
    """What systemd holds: a datagram socket at $NOTIFY_SOCKET."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(2.0)
    yield sock
    sock.close()


def received(sock: socket.socket) -> list[str]:
    """Every datagram already queued (the sender is synchronous: nothing is in flight)."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        pass
    finally:
        sock.settimeout(2.0)
    return out


def test_ready_then_pings_at_most_once_per_half_period(listener, tmp_path):
    """Given WatchdogSec=10 (WATCHDOG_USEC=10000000), when the loop ticks every second for 12 s,
    then READY=1 is sent once and WATCHDOG=1 every 5 s — and nothing when the loop stops."""
    env = {"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "10000000",
           "WATCHDOG_PID": str(os.getpid())}
    now = FakeTime()
    feeder = WatchdogFeeder(SystemdNotifier(env), watchdog_interval(env), now)
    assert feeder.interval == 5.0
    feeder.ready("home screen drawn")
    for _ in range(12):
        now.t += 1
        feeder.tick()
    messages = received(listener)
    assert messages[0] == "READY=1\nSTATUS=home screen drawn"
    assert messages[1:] == ["WATCHDOG=1"] * 3  # at t=0 (ready), t=5, t=10
    now.t += 60  # the UI loop froze: nobody calls tick
    assert received(listener) == []
    feeder.stopping()
    assert received(listener) == ["STOPPING=1"]


def test_abstract_namespace_socket():
    """Given NOTIFY_SOCKET=@name (what systemd uses today), the datagram reaches it."""
    name = f"kiosk-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2.0)
    try:
        assert SystemdNotifier({"NOTIFY_SOCKET": "@" + name}).notify("READY=1")
        assert sock.recv(100) == b"READY=1"
    finally:
        sock.close()


def test_outside_systemd_nothing_is_sent_and_nothing_fails():
    notifier = SystemdNotifier({})
    assert not notifier.enabled and not notifier.notify("READY=1")
    feeder = WatchdogFeeder(notifier, watchdog_interval({}), FakeTime())
    feeder.ready()
    feeder.tick()
    assert feeder.pings == 0


@pytest.mark.parametrize("env", [{"WATCHDOG_USEC": "0"}, {"WATCHDOG_USEC": "nan"},
                                 {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}])
def test_no_watchdog_asked_for(env):
    """A zero, unparsable or other process's watchdog means no pings from this one."""
    assert watchdog_interval(env) is None


def test_a_vanished_systemd_socket_is_a_warning_not_a_crash(tmp_path):
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.enabled
    assert notifier.notify("WATCHDOG=1") is False
