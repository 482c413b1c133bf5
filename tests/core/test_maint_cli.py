"""``kiosk maintenance set-pin`` and ``kiosk health [--json]`` end to end through ``kiosk.cli``:
the PIN asked twice and stored hashed (never printed), refusals with one line and exit 1, and
the health report with the contract's fields, devices as the running kiosk last saw them."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import database_url, load_config
from kiosk.maintenance.pins import PinResult, PinStore
from kiosk.maintenance.states import write_states
from kiosk.storage import make_engine


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\nid = "K09"\ndata_dir = "{tmp_path / "var"}"\n', "utf-8")
    return path


def store_of(site: Path) -> PinStore:
    config = load_config(site)
    return PinStore(make_engine(database_url(config)), hall="QZ01", kiosk_id="K09",
                    attempts=5, lockout_s=300)


def test_set_pin_asks_twice_and_stores_only_a_hash(site, monkeypatch, capsys):
    """Given the PIN typed twice, then exit 0, the PIN opens the mode, and nothing printed
    holds it."""
    monkeypatch.setattr("sys.stdin", io.StringIO("86420\n86420\n"))
    assert main(["--config", str(site), "maintenance", "set-pin"]) == 0
    out = capsys.readouterr()
    assert "86420" not in out.out + out.err and "K09" in out.out
    assert store_of(site).check("86420", datetime.now(UTC)).result is PinResult.OK


@pytest.mark.parametrize(("typed", "words"), [
    ("86420\n86421\n", "the two PINs differ"),
    ("12\n12\n", "PIN refused: found 2 characters, expected 4 to 8 digits"),
    ("", "no PIN given"),
])
def test_set_pin_refusals_change_nothing(site, monkeypatch, capsys, typed, words):
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    assert main(["--config", str(site), "maintenance", "set-pin"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: ") and words in err and len(err.strip().splitlines()) == 1
    assert not store_of(site).is_set()


def test_health_json_has_the_contract_fields(site, capsys):
    """Given no kiosk running, then every device is "unknown" with the reason, and the report
    has version, free disk, the outbox figures, last sync and today's counters."""
    assert main(["--config", str(site), "health", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["devices"]) == {"idcard", "scanner", "camera", "printer", "locker"}
    assert report["devices"]["printer"] == {
        "state": "unknown", "reason": "the kiosk is not running: no device states"}
    assert report["version"] and isinstance(report["disk_free_bytes"], int)
    assert report["outbox"] == {"pending": 0, "parked": 0, "oldest_age_s": None,
                                "configured": False}
    assert report["last_sync"] is None and report["counters"]["tickets_issued"] == 0


def test_health_shows_the_running_kiosks_device_states(site, capsys):
    """Given a running kiosk's states file (this process stands in for it), then its states
    and reasons are reported, in JSON and as text."""
    var = Path(load_config(site).kiosk.data_dir)
    var.mkdir(parents=True, exist_ok=True)
    write_states(var, {"printer": {"state": "offline", "reason": "paper out"},
                       "idcard": {"state": "ok", "reason": ""}}, datetime.now(UTC))
    assert main(["--config", str(site), "health", "--json"]) == 0
    devices = json.loads(capsys.readouterr().out)["devices"]
    assert devices["printer"] == {"state": "offline", "reason": "paper out"}
    assert devices["idcard"]["state"] == "ok"
    assert devices["camera"]["state"] == "unknown"
    assert main(["--config", str(site), "health"]) == 0
    text = capsys.readouterr().out
    assert "printer  offline  paper out" in text and "outbox: pending 0" in text
