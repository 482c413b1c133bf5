"""Appointment check-in cannot be brute-forced, and a big day's import is one bulk write."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from kiosk.config import CONFIG_DIR
from kiosk.queue import AppointmentNotFound
from kiosk.queue.appointments import CheckInAttempts
from kiosk.queue.errors import AppointmentAttemptsLocked
from kiosk.storage import Appointment
from tests.core.conftest import SHANGHAI

EXAMPLE = CONFIG_DIR / "appointments.example.csv"


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_guessing_codes_locks_check_in_by_code_for_a_while(service, clock):
    """Given five codes that match nothing within a minute, when a sixth code is scanned (even
    a real one), then it is refused with the pause in minutes; after the pause it works."""
    service.import_appointments(EXAMPLE)
    clock.set(datetime(2026, 1, 5, 8, 50, tzinfo=SHANGHAI))
    now = FakeTime()
    service.check_in_attempts = CheckInAttempts(max_failures=5, window_s=60, lockout_s=120,
                                                now=now)
    for n in range(5):
        with pytest.raises(AppointmentNotFound):
            service.check_in_appointment(code=f"YY2026010500{n}")
        now.t += 1
    with pytest.raises(AppointmentAttemptsLocked) as info:
        service.check_in_appointment(code="YY-C7Q4M9XK2RBD")
    assert info.value.minutes == 2 and "2分钟" in info.value.message_zh
    now.t += 121
    assert service.check_in_appointment(code="YY-C7Q4M9XK2RBD").appointment_code == \
        "YY-C7Q4M9XK2RBD"


def test_slow_mistakes_do_not_lock_anyone_out():
    """Four wrong codes a minute apart never reach five within the window."""
    now = FakeTime()
    attempts = CheckInAttempts(max_failures=5, window_s=60, lockout_s=120, now=now)
    for _ in range(20):
        attempts.failed()
        now.t += 61
        attempts.check()


def test_a_20000_row_day_is_imported_in_a_few_statements(service, engine, tmp_path):
    """Given 20,000 appointments, when imported, then all are stored with hashed IDs, in a
    bounded number of SQL statements (one per row took over a minute); re-importing updates
    them in bulk too."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "item_id", "date", "start", "end", "id_number", "name", "window"])
    day = date(2026, 1, 5)
    for n in range(20_000):
        start = datetime(2026, 1, 5, 9) + timedelta(minutes=n % 400)
        writer.writerow([f"R{n:06d}X", "social-security-card", day.isoformat(),
                         f"{start:%H:%M}", f"{start + timedelta(minutes=30):%H:%M}",
                         f"3501021990{n:06d}"[:17] + "X", "王小明", ""])
    path = tmp_path / "day.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    result = service.import_appointments(path)
    assert (result.added, result.updated) == (20_000, 0)
    assert len(statements) < 100, f"{len(statements)} statements for 20,000 rows"
    statements.clear()
    again = service.import_appointments(path)
    assert (again.added, again.updated) == (0, 20_000)
    assert len(statements) < 100
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Appointment)).scalar() == 20_000
        assert conn.execute(select(func.count()).select_from(Appointment).where(
            Appointment.person_hash.is_(None))).scalar() == 0
