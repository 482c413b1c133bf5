"""The maintenance mode's typed state: where the technician is and what the page shows.

Frozen; replaced only through ``Flow._change``. The PIN's digits are never part of it (only
how many were typed). A test card's fields appear here only while the devices page shows them
to the technician, and go with the next state reset; nothing about a citizen is ever here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from kiosk.i18n import Msg
from kiosk.maintenance.audit import AuditLine
from kiosk.maintenance.counters import Counters
from kiosk.maintenance.desk import CatalogueSummary, DeviceRow
from kiosk.maintenance.detect import DetectedPort
from kiosk.maintenance.logs import LogLine
from kiosk.sync.worker import SyncStatus


class MaintStep(enum.StrEnum):
    CLOSED = "closed"  # citizens' kiosk; the corner gesture opens the pad
    PIN = "pin"  # the numeric pad
    OPEN = "open"  # the technician is in


class MaintPage(enum.StrEnum):
    DEVICES = "devices"
    COUNTERS = "counters"
    LOGS = "logs"
    CATALOGUE = "catalogue"
    LOCKER = "locker"
    REPORT = "report"
    PIN = "pin"  # change the PIN


class PinStage(enum.StrEnum):
    ENTER = "enter"  # entering the mode
    CURRENT = "current"  # changing: the current PIN first
    NEW = "new"
    REPEAT = "repeat"


@dataclass(frozen=True)
class Notice:
    msgid: str
    params: tuple[tuple[str, object], ...] = ()
    error: bool = False

    @classmethod
    def of(cls, msg: Msg, error: bool = False) -> Notice:
        return cls(msg.msgid, tuple(msg.params.items()), error)

    def msg(self) -> Msg:
        return Msg(self.msgid, **dict(self.params))


@dataclass(frozen=True)
class DoorRow:
    door: int
    state: str  # open | closed | unknown
    out_of_service: bool


@dataclass(frozen=True)
class MaintState:
    step: MaintStep = MaintStep.CLOSED
    page: MaintPage = MaintPage.DEVICES
    pin_length: int = 0
    pin_stage: PinStage = PinStage.ENTER
    checking: bool = False
    locked_until: datetime | None = None  # UTC
    notice: Notice | None = None
    busy: str = ""  # msgid of the slow work running now ("" when idle)
    devices: tuple[DeviceRow, ...] = ()
    ports: tuple[DetectedPort, ...] = ()
    editing: str = ""  # the device kind whose settings are being chosen
    draft: tuple[tuple[str, object], ...] = ()  # chosen settings, not saved yet
    counters: Counters | None = None
    outbox: SyncStatus | None = None
    logs: tuple[LogLine, ...] = ()
    audit: tuple[AuditLine, ...] = ()
    log_level: str = "INFO"
    log_device: str = ""
    catalogue: CatalogueSummary | None = None
    doors: tuple[DoorRow, ...] = ()
    door: int = 1  # the door the locker page acts on
    card: tuple[tuple[str, str], ...] = ()  # a test card's fields, for the technician's eyes
    scanned: str = ""
    preview: bool = False  # the live camera preview is on
    paper: str = ""
    report_file: str = ""

    def draft_value(self, key: str, default: object) -> object:
        return dict(self.draft).get(key, default)
