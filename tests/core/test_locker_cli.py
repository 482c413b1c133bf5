"""``kiosk locker``: staff registered from files (PIN never on the command line, the card only
hashed), the compartments' status, a repaired door back in service; mistakes are one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from kiosk.cli import main
from kiosk.config import database_url, load_config
from kiosk.storage import make_engine
from kiosk.storage.models import LockerCompartment, LockerStaff


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    return path


def run(site: Path, *args: str) -> int:
    return main(["--config", str(site), "locker", *args])


def test_staff_add_stores_hashes_only(site, tmp_path, capsys) -> None:
    """Given a PIN file and a card-number file, then staff S01 is stored with a scrypt PIN and
    a card hash; neither the PIN nor the number is in the row; a second add is one line."""
    (tmp_path / "pin").write_text("2468\n", encoding="utf-8")
    (tmp_path / "card").write_text("110105194912310038\n", encoding="utf-8")
    assert run(site, "staff-add", "S01", "--pin-file", str(tmp_path / "pin"),
               "--card-id-file", str(tmp_path / "card")) == 0
    engine = make_engine(database_url(load_config(site)))
    with engine.connect() as conn:
        row = conn.execute(select(LockerStaff)).one()
    assert "2468" not in str(tuple(row)) and "110105194912310038" not in str(tuple(row))
    assert row.card_hash and row.pin_hash.startswith("scrypt$")
    capsys.readouterr()
    assert run(site, "staff-add", "S01", "--pin-file", str(tmp_path / "pin"), "--qr", "X") == 1
    err = capsys.readouterr().err
    assert "already registered" in err and err.count("\n") == 1


def test_status_and_return_to_service(site, capsys) -> None:
    """Given door 3 out of service, then status lists 24 doors with door 3's fault, and
    return puts it back; returning a working door is refused in one line."""
    assert run(site, "status", "--json") == 0
    engine = make_engine(database_url(load_config(site)))
    from datetime import UTC, datetime

    now = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(LockerCompartment).values(number=3, out_of_service_at=now,
                                                      fault="jammed", updated_at=now))
    capsys.readouterr()
    assert run(site, "status", "--json") == 0
    rows = json.loads(capsys.readouterr().out)["compartments"]
    assert len(rows) == 24 and rows[2]["out_of_service"] == "jammed"
    assert run(site, "return", "3") == 0
    assert run(site, "return", "3") == 1
    assert "not out of service" in capsys.readouterr().err
