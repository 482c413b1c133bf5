"""When to warn an idle citizen and when to give the kiosk back to the next one.

Pure timing: the caller feeds monotonic times (``time.monotonic()`` in the app, a number in
tests), so the rules are tested without a window and without sleeping. The app polls ``state``
from a Kivy clock interval, shows the countdown while ``WARNING``, and on ``EXPIRED`` ends the
session and goes home. This module must never import Kivy nor read the clock by itself.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class IdlePhase(enum.StrEnum):
    ACTIVE = "active"
    WARNING = "warning"  # show "N 秒后返回首页" with a big 继续使用 button
    EXPIRED = "expired"  # end the session, go home


@dataclass(frozen=True)
class IdleState:
    phase: IdlePhase
    seconds_left: int  # whole seconds until expiry, rounded up (what the countdown shows)


class IdleTimer:
    """Idle limit and warning lead time, both scaled by a factor (elder mode gets more time).

    ``armed`` is off on the home screen with nobody identified: there is nothing to wipe there.
    """

    def __init__(self, idle_seconds: float, warning_seconds: float, now: float) -> None:
        if not 0 < warning_seconds < idle_seconds:
            raise ValueError("need 0 < warning_seconds < idle_seconds")
        self._idle, self._warning = float(idle_seconds), float(warning_seconds)
        self.factor = 1.0
        self.armed = True
        self._last = now

    @property
    def limit(self) -> float:
        return self._idle * self.factor

    @property
    def warning_lead(self) -> float:
        return self._warning * self.factor

    def touch(self, now: float) -> None:
        """The citizen did something: start the idle period again."""
        self._last = now

    def set_factor(self, factor: float, now: float) -> None:
        if factor < 1.0:
            raise ValueError("factor must be at least 1.0")
        self.factor = factor
        self._last = now

    def arm(self, armed: bool, now: float) -> None:
        if armed and not self.armed:
            self._last = now  # arming starts a fresh period, never an instant warning
        self.armed = armed

    def state(self, now: float) -> IdleState:
        if not self.armed:
            return IdleState(IdlePhase.ACTIVE, math.ceil(self.limit))
        left = self.limit - (now - self._last)
        if left <= 0:
            return IdleState(IdlePhase.EXPIRED, 0)
        phase = IdlePhase.WARNING if left <= self.warning_lead else IdlePhase.ACTIVE
        return IdleState(phase, math.ceil(left))
