"""The kiosk's mode (normal, after hours, maintenance, out of service) and what it lets citizens do.

The mode is decided here from the hall's day/night schedule (``kiosk.schedule.HallSchedule``:
``[schedule]`` hours per weekday with ``[calendar]`` holidays and make-up days; without one, the
catalogue's opening hours), read with the injected clock, the technician (maintenance) and the
device health; the home screen only draws the verdicts. A capability (one home tile) is hidden
when a device it needs is not fitted, disabled naming the device while that device is down,
disabled once the hall has closed for the day when the schedule says it follows the hall's
hours (queue tickets; a lunch break is not night), with when it opens next, and disabled for
everyone in maintenance or out of service. Only home asks:
a journey already under way when the hall closes is never interrupted by the mode. Reasons are
msgids for ``kiosk.i18n.tr``. Never imports Kivy; never reads the wall clock.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from kiosk.catalogue import Catalogue
from kiosk.clock import Clock, local_now
from kiosk.schedule import HallSchedule

log = logging.getLogger(__name__)

REASON_DEVICE = "{device}暂停服务"  # {device} is filled by the view with the device's name
REASON_AFTER_HOURS = "暂停取号"
REASON_STOPPED = "暂时无法办理"
REASON_CLOSED = "不在服务时间"  # a capability other than the queue, outside the hall's hours


class KioskMode(enum.StrEnum):
    NORMAL = "normal"
    AFTER_HOURS = "after_hours"  # the hall is closed for the day: self-service only
    MAINTENANCE = "maintenance"  # a technician is working on the kiosk
    OUT_OF_SERVICE = "out_of_service"  # set when the kiosk cannot serve anyone


class DeviceHealthView(Protocol):
    """What the mode needs from ``kiosk.devices.DeviceManager``."""

    def kinds(self) -> list[str]: ...

    def is_usable(self, kind: str) -> bool: ...


# A rule closing an otherwise working capability: the msgid of why, or None when open.
ExtraRule = Callable[[], str | None]


@dataclass(frozen=True)
class Capability:
    """What one citizen function needs in order to be offered."""

    id: str
    requires: tuple[str, ...] = ()  # device kinds that must be fitted and working
    staffed: bool = False  # needs the hall open (a ticket is for a window with a clerk)
    extra: ExtraRule | None = None


@dataclass(frozen=True)
class CapabilityState:
    id: str
    enabled: bool
    reason: str = ""  # msgid; "" when enabled
    device: str = ""  # the device kind whose failure disabled it
    opens_at: datetime | None = None  # hall-local time it opens again, when closed by the hours


def next_hall_opening(catalogue: Catalogue, local: datetime) -> datetime | None:
    """The earliest time any service item opens after ``local`` (None: nothing ever opens)."""
    times = [t for t in (i.schedule.next_opening(local) for i in catalogue.items) if t is not None]
    return min(times, default=None)


def hall_open_today(catalogue: Catalogue, local: datetime) -> bool:
    """Some service item is open now or opens again later today (a lunch break is not night)."""
    for item in catalogue.items:
        if item.schedule.is_open(local):
            return True
        opens = item.schedule.next_opening(local)
        if opens is not None and opens.date() == local.date():
            return True
    return False


class ModeKeeper:
    """Decides the kiosk mode and the state of each capability, on demand (cheap, no I/O)."""

    def __init__(self, catalogue: Catalogue | None, devices: DeviceHealthView, clock: Clock,
                 tz: ZoneInfo, schedule: HallSchedule | None = None) -> None:
        self.catalogue = catalogue
        self.schedule = schedule
        self.devices = devices
        self.clock = clock
        self.tz = tz
        self._maintenance = False
        self._out_of_service: str | None = None

    def mode(self) -> KioskMode:
        if self._maintenance:
            return KioskMode.MAINTENANCE
        if self._out_of_service is not None:
            return KioskMode.OUT_OF_SERVICE
        if self.schedule is not None:
            if not self.schedule.hall_open_today(local_now(self.clock, self.tz)):
                return KioskMode.AFTER_HOURS
        elif self.catalogue is not None and not hall_open_today(
                self.catalogue, local_now(self.clock, self.tz)):
            return KioskMode.AFTER_HOURS
        return KioskMode.NORMAL

    def enter_maintenance(self) -> None:
        log.info("mode: maintenance entered")
        self._maintenance = True

    def leave_maintenance(self) -> None:
        log.info("mode: maintenance left")
        self._maintenance = False

    def set_out_of_service(self, why: str | None) -> None:
        """``why`` is for the log (no personal data); ``None`` puts the kiosk back in service."""
        if why:
            log.warning("mode: out of service (%s)", why)
        else:
            log.info("mode: in service")
        self._out_of_service = why

    def capabilities(self, wanted: Iterable[Capability]) -> list[CapabilityState]:
        """The capabilities to offer now (unfitted ones left out), each enabled or why not."""
        fitted = set(self.devices.kinds())
        mode = self.mode()
        out: list[CapabilityState] = []
        for cap in wanted:
            if not set(cap.requires) <= fitted:
                continue
            if mode in (KioskMode.MAINTENANCE, KioskMode.OUT_OF_SERVICE):
                out.append(CapabilityState(cap.id, False, REASON_STOPPED))
                continue
            down = next((k for k in cap.requires if not self.devices.is_usable(k)), None)
            if down is not None:
                out.append(CapabilityState(cap.id, False, REASON_DEVICE, down))
                continue
            if self.schedule is not None:
                closed = self._closed_by_schedule(cap)
                if closed is not None:
                    out.append(closed)
                    continue
            elif cap.staffed and mode is KioskMode.AFTER_HOURS:
                opens = (next_hall_opening(self.catalogue, local_now(self.clock, self.tz))
                         if self.catalogue is not None else None)
                out.append(CapabilityState(cap.id, False, REASON_AFTER_HOURS, opens_at=opens))
                continue
            reason = cap.extra() if cap.extra else None
            out.append(CapabilityState(cap.id, reason is None, reason or ""))
        return out

    def _closed_by_schedule(self, cap: Capability) -> CapabilityState | None:
        assert self.schedule is not None
        local = local_now(self.clock, self.tz)
        if self.schedule.offered(cap.id, local):
            return None
        reason = REASON_AFTER_HOURS if cap.staffed else REASON_CLOSED
        return CapabilityState(cap.id, False, reason,
                               opens_at=self.schedule.next_hall_opening(local))
