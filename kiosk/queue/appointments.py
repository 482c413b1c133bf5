"""Appointments: reading the booking system's export (CSV or JSON) and finding one at check-in.

The import hashes ID numbers and masks names on the way in; the clear number never reaches the
database. Re-importing the same file is harmless: a booked appointment is updated, one already
checked in is left alone. Check-in rules (too early, too late) live in ``service``.
"""

from __future__ import annotations

import csv
import json
import math
import re
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import Connection, bindparam, insert, select, update

from config.files import FileRefused, read_bounded, text_of
from kiosk.catalogue import Catalogue
from kiosk.privacy import mask_name
from kiosk.queue.errors import (
    AppointmentAlreadyUsed,
    AppointmentAttemptsLocked,
    AppointmentImportError,
    AppointmentNotFound,
    AppointmentOtherDay,
)
from kiosk.storage.models import Appointment, Ticket

FIELDS = ("code", "item_id", "date", "start", "end", "id_number", "name", "window")
_ID = re.compile(r"^[0-9A-Za-z]{6,20}$")
_CODE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")


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


# A day's export for a big hall is a few MB; anything far beyond is the wrong file.
MAX_FILE_BYTES = 64 << 20
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9 _:./+-]{0,24}$")


def _shown(value: str) -> str:
    """What an error may echo of a field: short plain values (a date, an item id) as they are,
    anything that could be a name or an ID number (CJK, a long run of digits) hidden. Shifted
    CSV columns put a name or ID number where a date was expected."""
    if _SAFE_VALUE.match(value) and not re.search(r"\d{6}", value):
        return value
    return "(hidden)"


def read_file(path: Path, catalogue: Catalogue) -> list[AppointmentRow]:
    """Parse and validate every row first, so a bad row imports nothing. Errors name the file,
    the row and the field, never a row's content (names and ID numbers)."""
    try:
        text = text_of(path, read_bounded(path, MAX_FILE_BYTES, "a CSV or JSON file"),
                       "a UTF-8 CSV or JSON file")  # Excel writes a BOM: dropped
    except FileRefused as exc:
        raise AppointmentImportError(str(path), 0, "", exc.found, exc.expected) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AppointmentImportError(str(path), exc.lineno, "",
                                         f"invalid JSON at column {exc.colno} ({exc.msg})",
                                         "a JSON list of appointments") from None
        except RecursionError:
            raise AppointmentImportError(str(path), 0, "", "JSON nested too deeply",
                                         "a JSON list of appointments") from None
        records = data.get("appointments") if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise AppointmentImportError(str(path), 0, "", f"a JSON {_kind(data)}",
                                         "a list of appointments or {\"appointments\": [...]}")
    else:
        try:
            records = list(csv.DictReader(text.splitlines()))
        except csv.Error as exc:
            raise AppointmentImportError(str(path), 0, "", f"broken CSV ({exc})",
                                         "a CSV file with a header row") from None
    windows = {w.id for w in catalogue.windows}
    return [_row(str(path), n, rec, catalogue, windows) for n, rec in enumerate(records, 1)]


def _kind(value: object) -> str:
    return {dict: "object", list: "list", str: "string", int: "number", float: "number",
            bool: "true/false"}.get(type(value), "null" if value is None else "value")


def _row(file: str, n: int, rec: object, catalogue: Catalogue, windows: set[str]) -> AppointmentRow:
    if not isinstance(rec, dict):
        raise AppointmentImportError(file, n, "", f"a JSON {_kind(rec)}",
                                     "an object with " + ", ".join(FIELDS))

    def field(name: str, required: bool = True) -> str | None:
        raw = rec.get(name)
        if isinstance(raw, (dict, list)):
            raise AppointmentImportError(file, n, name, f"a JSON {_kind(raw)}", "a text value")
        value = str(raw or "").strip()
        if not value and required:
            raise AppointmentImportError(file, n, name, "nothing", "a value")
        if len(value) > 64:
            raise AppointmentImportError(file, n, name, "(hidden)",
                                         "at most 64 characters")
        return value or None

    def parse(name: str, fmt: str, expected: str) -> datetime:
        value = field(name) or ""
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            raise AppointmentImportError(file, n, name, _shown(value), expected) from None

    code, item_id = field("code") or "", field("item_id") or ""
    if not _CODE.match(code):
        raise AppointmentImportError(file, n, "code", _shown(code),
                                     "1 to 32 letters, digits, - or _")
    try:
        catalogue.item(item_id)
    except KeyError:
        raise AppointmentImportError(file, n, "item_id", _shown(item_id),
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
        raise AppointmentImportError(file, n, "window", _shown(window),
                                     "a window id from the catalogue")
    return AppointmentRow(code, item_id, day, start, end, id_number, field("name", False), window)


def store(conn: Connection, rows: list[AppointmentRow], hall: str,
          person_hash: Callable[[str], str], now: datetime) -> ImportResult:
    """Insert new codes and update booked ones in bulk: one query finds what exists, one
    executemany inserts the rest (a 20,000-row day took over a minute row by row)."""
    existing: dict[str, tuple[int, str]] = {}
    codes = list({row.code for row in rows})
    for i in range(0, len(codes), 500):  # bounded IN lists
        for r in conn.execute(select(Appointment.code, Appointment.id, Appointment.status).where(
                Appointment.hall == hall, Appointment.code.in_(codes[i:i + 500]))):
            existing[r.code] = (r.id, r.status)
    inserts: dict[str, dict[str, object]] = {}
    updates: list[dict[str, object]] = []
    unchanged = 0
    for row in rows:
        values = {
            "item_id": row.item_id, "service_date": row.day, "slot_start": row.start,
            "slot_end": row.end, "window_id": row.window,
            "person_hash": person_hash(row.id_number) if row.id_number else None,
            "masked_name": mask_name(row.name) if row.name else None, "imported_at": now,
        }
        if row.code in existing:
            appointment_id, status = existing[row.code]
            if status == "booked":
                updates.append({"b_id": appointment_id, **values})
            else:
                unchanged += 1
        else:
            # a code twice in one file: the last row wins, as a re-import would make it
            inserts[row.code] = {"hall": hall, "code": row.code, "status": "booked", **values}
    if inserts:
        conn.execute(insert(Appointment), list(inserts.values()))
    if updates:
        conn.execute(update(Appointment).where(Appointment.id == bindparam("b_id")).values(
            {k: bindparam(k) for k in updates[0] if k != "b_id"}), updates)
    return ImportResult(len(inserts), len(updates), unchanged)


class CheckInAttempts:
    """Check-in by code, rate-limited: after ``max_failures`` codes that matched nothing within
    ``window_s`` seconds, every code is refused for ``lockout_s`` seconds. Codes should be
    random (the booking system's job), and a scanner can try hundreds a minute; each hit shows
    the holder's masked name. Per kiosk (one instance per ``QueueService``); thread-safe."""

    def __init__(self, max_failures: int = 5, window_s: float = 60.0, lockout_s: float = 120.0,
                 now: Callable[[], float] = _time.monotonic) -> None:
        self.max_failures, self.window_s, self.lockout_s = max_failures, window_s, lockout_s
        self.now = now
        self._failures: list[float] = []
        self._locked_until = 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        with self._lock:
            left = self._locked_until - self.now()
        if left > 0:
            raise AppointmentAttemptsLocked(max(1, math.ceil(left / 60)))

    def failed(self) -> None:
        with self._lock:
            now = self.now()
            self._failures = [t for t in self._failures if now - t < self.window_s] + [now]
            if len(self._failures) >= self.max_failures:
                self._locked_until = now + self.lockout_s
                self._failures.clear()


def find(conn: Connection, hall: str, today: date, *, code: str | None,
         person: str | None, attempts: CheckInAttempts | None = None) -> Appointment:
    """The appointment to check in, or the refusal that explains why there is none today.
    With ``attempts``, a code is refused while locked out and a code that matches nothing
    counts towards the lockout."""
    if code is not None and attempts is not None:
        attempts.check()
    q = select(Appointment).where(Appointment.hall == hall,
                                  Appointment.status.in_(("booked", "checked_in")))
    if code is not None:
        q = q.where(Appointment.code == code.strip())
    else:
        q = q.where(Appointment.person_hash == person)
    found = [Appointment(**row._mapping) for row in conn.execute(q)]
    if not found:
        if code is not None and attempts is not None:
            attempts.failed()
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
