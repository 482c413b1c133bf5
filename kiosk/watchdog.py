"""Tell systemd the kiosk is alive, from the UI loop, so a frozen kiosk is restarted.

``deploy/kiosk.service`` runs the app with ``Type=notify`` and ``WatchdogSec=``: systemd waits for
``READY=1`` (home drawn and the journeys built) and then expects ``WATCHDOG=1`` at least once per
watchdog period, or it kills the kiosk and starts it again. The pings must come from the UI loop
itself (the app calls ``WatchdogFeeder.tick`` from a Kivy Clock interval): a ping from a helper
thread would keep a frozen screen alive forever.

The protocol is one datagram per message on the unix socket named by ``$NOTIFY_SOCKET`` (a path,
or ``@name`` for the abstract namespace), standard library only. Outside systemd (no
``$NOTIFY_SOCKET``) every call does nothing. Must never block the UI: the socket is non-blocking
and a lost datagram is dropped, never retried.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

NOTIFY_ENV = "NOTIFY_SOCKET"
WATCHDOG_USEC_ENV = "WATCHDOG_USEC"
WATCHDOG_PID_ENV = "WATCHDOG_PID"


class SystemdNotifier:
    """Sends sd_notify messages; a no-op when the process was not started by systemd."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        address = env.get(NOTIFY_ENV, "")
        self._address: str | bytes | None = None
        self._sock: socket.socket | None = None
        if address.startswith("@"):
            self._address = b"\0" + address[1:].encode()
        elif address.startswith("/"):
            self._address = address
        if self._address is not None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.setblocking(False)

    @property
    def enabled(self) -> bool:
        return self._sock is not None

    def notify(self, message: str) -> bool:
        """Send ``message`` (e.g. ``"READY=1"``); True when the datagram left."""
        if self._sock is None or self._address is None:
            return False
        try:
            self._sock.sendto(message.encode(), self._address)
            return True
        except OSError as exc:  # systemd gone or its queue full: nothing to do but say so
            log.warning("sd_notify failed: %s", exc.strerror)
            return False

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between pings: half of systemd's ``WatchdogSec``, or None when not asked for
    (no ``$WATCHDOG_USEC``, or ``$WATCHDOG_PID`` names another process)."""
    env = os.environ if env is None else env
    usec = env.get(WATCHDOG_USEC_ENV, "")
    pid = env.get(WATCHDOG_PID_ENV, "")
    if not usec.isdigit() or int(usec) <= 0:
        return None
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec) / 1_000_000 / 2


class WatchdogFeeder:
    """Pings systemd from whatever loop calls ``tick`` (the app's UI loop).

    ``ready(status)`` once the home screen is drawn, ``tick(now)`` as often as convenient (it
    pings at most once per ``interval``), ``stopping()`` on a clean shutdown."""

    def __init__(self, notifier: SystemdNotifier, interval: float | None,
                 now: Callable[[], float]) -> None:
        self.notifier = notifier
        self.interval = interval
        self.now = now
        self.pings = 0
        self._last: float | None = None

    @classmethod
    def from_environment(cls, now: Callable[[], float]) -> WatchdogFeeder:
        return cls(SystemdNotifier(), watchdog_interval(), now)

    def ready(self, status: str = "") -> None:
        self.notifier.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))
        self.tick()

    def tick(self, *_: object) -> None:
        if self.interval is None or not self.notifier.enabled:
            return
        now = self.now()
        if self._last is not None and now - self._last < self.interval:
            return
        if self.notifier.notify("WATCHDOG=1"):
            self.pings += 1
        self._last = now

    def status(self, text: str) -> None:
        self.notifier.notify(f"STATUS={text}")

    def stopping(self) -> None:
        self.notifier.notify("STOPPING=1")
        self.notifier.close()
