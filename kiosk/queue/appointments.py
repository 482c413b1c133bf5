"""Appointments: reading the booking system's export (CSV or JSON) and finding one at check-in.

The import hashes ID numbers and masks names on the way in; the clear number never reaches the
database. Re-importing the same file is harmless: a booked appointment is updated, one already
checked in is left alone. Check-in rules (too early, too late) live in ``service``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from kiosk.catalogue import Catalogue
from kiosk.privacy import mask_name
from kiosk.queue.errors import (
    AppointmentAlreadyUsed,
    AppointmentImportError,
    AppointmentNotFound,
    AppointmentOtherDay,
)
from kiosk.storage.models import Appointment, Ticket

FIELDS = ("code", "item_id", "date", "start", "end", "id_number", "name", "window")
_ID = re.compile(r"^[0-9A-Za-z]{6,20}$")


@dataclass(frozen=True)
class AppointmentRow:
    code: str
    item_id: str
    day: date
    start: time
    end: time
    id_number: str | None
    name: str | None
    window: str | None


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int  # already checked in: left as they are


def read_file(path: Path, catalogue: Catalogue) -> list[AppointmentRow]:
    """Parse and validate every row first, so a bad row imports nothing."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a BOM
    except FileNotFoundError:
        raise AppointmentImportError(str(path), 0, "", "no such file",
                                     "a CSV or JSON file") from None
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        records = data.get("appointments") if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise AppointmentImportError(str(path), 0, "", type(data).__name__,
                                         "a list of appointments or {\"appointments\": [...]}")
    else:
        records = list(csv.DictReader(text.splitlines()))
    windows = {w.id for w in catalogue.windows}
    return [_row(str(path), n, rec, catalogue, windows) for n, rec in enumerate(records, 1)]


def _row(file: str, n: int, rec: object, catalogue: Catalogue, windows: set[str]) -> AppointmentRow:
    if not isinstance(rec, dict):
        raise AppointmentImportError(file, n, "", repr(rec), "an object with " + ", ".join(FIELDS))

    def field(name: str, required: bool = True) -> str | None:
        value = str(rec.get(name) or "").strip()
        if not value and required:
            raise AppointmentImportError(file, n, name, "nothing", "a value")
        return value or None

    def parse(name: str, fmt: str, expected: str) -> datetime:
        value = field(name) or ""
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            raise AppointmentImportError(file, n, name, value, expected) from None

    code, item_id = field("code") or "", field("item_id") or ""
    try:
        catalogue.item(item_id)
    except KeyError:
        raise AppointmentImportError(file, n, "item_id", item_id,
                                     "an item id from the catalogue") from None
    day = parse("date", "%Y-%m-%d", "a date like 2026-01-05").date()
    start = parse("start", "%H:%M", "a time like 09:30").time()
    end = parse("end", "%H:%M", "a time like 10:00").time()
    if end <= start:
        raise AppointmentImportError(file, n, "end", f"{end:%H:%M}", f"later than {start:%H:%M}")
    id_number, window = field("id_number", False), field("window", False)
    if id_number and not _ID.match(id_number):
        raise AppointmentImportError(file, n, "id_number", "(hidden)",
                                     "an ID document number of 6-20 letters and digits")
    if window and window not in windows:
        raise AppointmentImportError(file, n, "window", window, "a window id from the catalogue")
    return AppointmentRow(code, item_id, day, start, end, id_number, field("name", False), window)


def store(conn: Connection, rows: list[AppointmentRow], hall: str,
          person_hash: Callable[[str], str], now: datetime) -> ImportResult:
    added = updated = unchanged = 0
    for row in rows:
        values = {
            "item_id": row.item_id, "service_date": row.day, "slot_start": row.start,
            "slot_end": row.end, "window_id": row.window,
            "person_hash": person_hash(row.id_number) if row.id_number else None,
            "masked_name": mask_name(row.name) if row.name else None, "imported_at": now,
        }
        existing = conn.execute(select(Appointment.id, Appointment.status).where(
            Appointment.hall == hall, Appointment.code == row.code)).first()
        if existing is None:
            conn.execute(insert(Appointment).values(hall=hall, code=row.code, status="booked",
                                                    **values))
            added += 1
        elif existing.status == "booked":
            conn.execute(update(Appointment).where(Appointment.id == existing.id).values(**values))
            updated += 1
        else:
            unchanged += 1
    return ImportResult(added, updated, unchanged)


def find(conn: Connection, hall: str, today: date, *, code: str | None,
         person: str | None) -> Appointment:
    """The appointment to check in, or the refusal that explains why there is none today."""
    q = select(Appointment).where(Appointment.hall == hall,
                                  Appointment.status.in_(("booked", "checked_in")))
    if code is not None:
        q = q.where(Appointment.code == code.strip())
    else:
        q = q.where(Appointment.person_hash == person)
    found = [Appointment(**row._mapping) for row in conn.execute(q)]
    if not found:
        raise AppointmentNotFound()
    todays = [a for a in found if a.service_date == today]
    booked = [a for a in todays if a.status == "booked"]
    if booked:
        return min(booked, key=lambda a: a.slot_start)
    if todays:
        number = conn.execute(select(Ticket.number).where(
            Ticket.id == todays[0].ticket_id)).scalar_one_or_none()
        raise AppointmentAlreadyUsed(number)
    future = sorted(a.service_date for a in found if a.service_date > today)
    raise AppointmentOtherDay(future[0] if future else max(a.service_date for a in found), today)
