"""Appointments: import from CSV/JSON, check-in by QR code or ID card, and every refusal
explained (too early, too late, another day, not found, already used)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.config import CONFIG_DIR
from kiosk.queue import (
    AppointmentAlreadyUsed,
    AppointmentImportError,
    AppointmentNotFound,
    AppointmentOtherDay,
    AppointmentTooEarly,
    AppointmentTooLate,
)
from kiosk.storage import Appointment
from tests.core.conftest import SHANGHAI, make_card

EXAMPLE = CONFIG_DIR / "appointments.example.csv"


@pytest.fixture
def booked(service) -> object:
    """The shipped example file (Monday 2026-01-05) imported."""
    result = service.import_appointments(EXAMPLE)
    assert (result.added, result.updated, result.unchanged) == (3, 0, 0)
    return service


def at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=SHANGHAI)


def test_import_hashes_ids_masks_names_and_is_repeatable(booked, engine):
    with engine.connect() as conn:
        rows = conn.execute(select(Appointment).order_by(Appointment.code)).all()
    assert [r.masked_name for r in rows] == ["张*", "欧**娜", None]
    assert rows[0].person_hash == booked.person_hash("11010519491231002X")
    assert "11010519491231002X" not in str(rows)
    again = booked.import_appointments(EXAMPLE)
    assert (again.added, again.updated) == (0, 3)


def test_check_in_by_code_gives_a_priority_ticket(booked, clock):
    clock.set(at(8, 40))  # 20 minutes before the 09:00 slot: within the 30-minute lead
    ticket = booked.check_in_appointment(code="YY-C7Q4M9XK2RBD")
    assert ticket.number == "C001" and ticket.priority_reason == "appointment"
    assert ticket.masked_name == "张*" and ticket.appointment_code == "YY-C7Q4M9XK2RBD"
    with pytest.raises(AppointmentAlreadyUsed) as err:
        booked.check_in_appointment(code="YY-C7Q4M9XK2RBD")
    assert "C001" in err.value.message_zh


def test_check_in_by_card_finds_todays_appointment(booked, clock, counter):
    clock.set(at(10, 20))
    card = make_card(id_number="350102199003070034", name="欧阳娜娜")
    ticket = booked.check_in_appointment(card=card)
    assert (ticket.number, ticket.item_id) == ("B001", "bundle-start-business")
    # it is called before regular tickets issued earlier
    booked.issue_ticket("company-change")
    assert counter.call_next("B01").number == "B001"


@pytest.mark.parametrize(("now", "error", "words"), [
    (at(8, 29), AppointmentTooEarly, "08:30以后"),
    (at(9, 46), AppointmentTooLate, "09:30结束"),
    (at(9, 0, day=6), AppointmentOtherDay, "已过期"),
    (at(9, 0, day=4), AppointmentOtherDay, "请在预约当天"),
])
def test_check_in_refusals_are_explained(booked, clock, now, error, words):
    clock.set(now)
    with pytest.raises(error) as err:
        booked.check_in_appointment(code="YY-C7Q4M9XK2RBD")
    assert words in err.value.message_zh
    assert err.value.message_en


def test_check_in_window_edges(booked, clock):
    clock.set(at(9, 45))  # slot ends 09:30, 15 minutes' grace: still fine
    assert booked.check_in_appointment(code="YY-C7Q4M9XK2RBD").number == "C001"
    clock.set(at(8, 30))  # the 10:00 slot opens for check-in at 09:30
    with pytest.raises(AppointmentTooEarly) as err:
        booked.check_in_appointment(code="YY-H3WN8TZ6PF5K")
    assert err.value.at == at(9, 30)


def test_not_found(booked):
    with pytest.raises(AppointmentNotFound):
        booked.check_in_appointment(code="NOPE")
    with pytest.raises(AppointmentNotFound):
        booked.check_in_appointment(card=make_card(id_number="110101199001011234"))


def test_json_import_and_bad_rows(service, tmp_path: Path):
    good = tmp_path / "a.json"
    good.write_text(json.dumps({"appointments": [
        {"code": "J1", "item_id": "company-change", "date": "2026-01-05", "start": "10:00",
         "end": "10:30", "window": "B01"}]}), encoding="utf-8")
    assert service.import_appointments(good).added == 1
    bad = tmp_path / "b.csv"
    bad.write_text("code,item_id,date,start,end\nX1,company-change,2026-01-05,10:00,10:30\n"
                   "X2,company-change,5/1/2026,10:00,10:30\n", encoding="utf-8")
    with pytest.raises(AppointmentImportError) as err:
        service.import_appointments(bad)
    assert (err.value.row, err.value.field) == (2, "date")
    assert "2026-01-05" in str(err.value)
    unknown = tmp_path / "c.csv"
    unknown.write_text("code,item_id,date,start,end\nX1,tax,2026-01-05,10:00,10:30\n",
                       encoding="utf-8")
    with pytest.raises(AppointmentImportError, match="item_id"):
        service.import_appointments(unknown)
    with service.engine.connect() as conn:  # a bad file imports nothing, not even its good rows
        codes = conn.execute(select(Appointment.code)).scalars().all()
    assert codes == ["J1"]


def test_an_appointment_booked_at_a_window_is_sent_there(booked, clock):
    """Seen (issue 12): an appointment's booked window was ignored on its ticket, which listed
    every window of the item. The ticket of an appointment with a window names that window."""
    import csv

    rows = list(csv.DictReader(EXAMPLE.open(encoding="utf-8")))
    with_window = next(r for r in rows if r["window"])
    clock.set(datetime.combine(datetime.fromisoformat(with_window["date"]).date(),
                               datetime.strptime(with_window["start"], "%H:%M").time(),
                               tzinfo=SHANGHAI))
    ticket = booked.check_in_appointment(code=with_window["code"])
    assert ticket.windows == (with_window["window"],)
