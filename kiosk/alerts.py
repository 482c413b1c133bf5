"""Maintenance alerts: what a technician must fix (printer out of paper, offline, job cut short).

An alert is one committed row in ``alerts`` with the kiosk id and the time, for the technician's
maintenance screen and the hall's monitoring. One open alert per kiosk and kind: a hundred
citizens meeting an empty printer make one alert, not a hundred. Never holds citizen data (no
ticket number, no name): only what a technician must fix. Times come from the injected clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from drivers.printer.base import PaperOut, PrinterOffline, PrintInterrupted
from kiosk.clock import Clock
from kiosk.storage.models import Alert

PRINTER_PAPER_OUT = "printer.paper_out"
PRINTER_OFFLINE = "printer.offline"
PRINTER_INTERRUPTED = "printer.interrupted"
PRINTER_ERROR = "printer.error"
PRINTER_KINDS = (PRINTER_PAPER_OUT, PRINTER_OFFLINE, PRINTER_INTERRUPTED, PRINTER_ERROR)


@dataclass(frozen=True)
class AlertNote:
    kind: str
    message: str
    message_zh: str
    severity: str = "warning"


def printer_alert(error: BaseException) -> AlertNote:
    """What to tell the technician about a failed print, from the driver's typed error."""
    if isinstance(error, PaperOut):
        return AlertNote(PRINTER_PAPER_OUT, "printer: paper out; tickets are shown on screen",
                         "打印机缺纸，请更换打印纸（号票暂以屏幕显示）")
    if isinstance(error, PrinterOffline):
        return AlertNote(PRINTER_OFFLINE, "printer: offline; check power and cable",
                         "打印机未连接，请检查电源和连接线")
    if isinstance(error, PrintInterrupted):
        return AlertNote(PRINTER_INTERRUPTED, "printer: job interrupted; check paper path",
                         "打印中断，请检查打印机走纸")
    return AlertNote(PRINTER_ERROR, f"printer: {error}", "打印机故障，请检查打印机")


class Alerts:
    """The alerts of one kiosk: raise (at most one open per kind), clear, list the open ones."""

    def __init__(self, engine: Engine, kiosk_id: str, clock: Clock) -> None:
        self.engine = engine
        self.kiosk_id = kiosk_id
        self.clock = clock

    def raise_(self, note: AlertNote) -> int:
        """Record ``note`` (committed) unless the same kind is already open; returns its id."""
        return raise_alert(self.engine, self.kiosk_id, note, self.clock.now())

    def clear(self, kinds: Iterable[str]) -> int:
        """Close the open alerts of ``kinds`` (the device proved itself working); how many."""
        return clear_alerts(self.engine, self.kiosk_id, kinds, self.clock.now())

    def open(self) -> list[Alert]:
        """This kiosk's alerts not cleared yet, oldest first (maintenance screen, tests)."""
        return open_alerts(self.engine, self.kiosk_id)


# The same operations for a caller that brings its own time (the sync worker keeps its clock).
def raise_alert(engine: Engine, kiosk_id: str, note: AlertNote, at: datetime) -> int:
    """Record ``note`` (committed) unless the same kind is already open; returns the alert id."""
    with engine.begin() as conn:
        open_id = conn.execute(select(Alert.id).where(
            Alert.kiosk_id == kiosk_id, Alert.kind == note.kind,
            Alert.cleared_at.is_(None))).scalar()
        if open_id is not None:
            return int(open_id)
        result = conn.execute(insert(Alert).values(
            at=at.astimezone(UTC), kiosk_id=kiosk_id, kind=note.kind, severity=note.severity,
            message=note.message, message_zh=note.message_zh))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def clear_alerts(engine: Engine, kiosk_id: str, kinds: Iterable[str], at: datetime) -> int:
    """Close the open alerts of ``kinds``; returns how many."""
    with engine.begin() as conn:
        result = conn.execute(update(Alert).where(
            Alert.kiosk_id == kiosk_id, Alert.kind.in_(tuple(kinds)),
            Alert.cleared_at.is_(None)).values(cleared_at=at.astimezone(UTC)))
        return int(result.rowcount)


def open_alerts(engine: Engine, kiosk_id: str | None = None) -> list[Alert]:
    """Alerts not cleared yet (of one kiosk, or all), oldest first."""
    q = select(Alert).where(Alert.cleared_at.is_(None)).order_by(Alert.id)
    if kiosk_id is not None:
        q = q.where(Alert.kiosk_id == kiosk_id)
    with engine.connect() as conn:
        return [Alert(**row._mapping) for row in conn.execute(q)]
