"""Appointments: imported by staff with ``kiosk hall import-appointments`` (ID numbers hashed,
names masked on the way in), pulled by kiosks for today's check-in."""

from __future__ import annotations

from datetime import datetime

from tests.hall.conftest import SECRET
from tests.hall.procs import run_cli


def test_import_then_a_kiosk_pulls_todays_list_without_clear_identities(hall, tmp_path):
    today = datetime.now(hall.settings.tz).date()
    csv = tmp_path / "appointments.csv"
    csv.write_text(
        "code,item_id,date,start,end,id_number,name,window\n"
        f"YY1,unemployment-registration,{today},09:00,09:30,11010519491231002X,张三,A01\n"
        f"YY2,unemployment-registration,{today},10:00,10:30,,,\n", encoding="utf-8")
    done = run_cli("hall", "import-appointments", str(csv), "--db", hall.settings.db_url,
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout
    with hall.client() as c:
        r = c.get("/api/v1/appointments", params={"date": today.isoformat()})
        far = c.get("/api/v1/appointments", params={"date": "2020-01-01"})
        bad = c.get("/api/v1/appointments", params={"date": "tomorrow"})
    assert r.status_code == 200
    rows = r.json()["appointments"]
    assert [a["code"] for a in rows] == ["YY1", "YY2"]
    assert rows[0]["masked_name"] == "张*" and rows[0]["start"] == "09:00"
    assert "11010519491231002X" not in r.text and "张三" not in r.text
    from kiosk.privacy import id_hash

    assert rows[0]["person_hash"] == id_hash("11010519491231002X", SECRET)
    assert far.status_code == 422 and bad.status_code == 422


def test_a_bad_appointment_file_is_one_line(tmp_path, hall):
    csv = tmp_path / "bad.csv"
    csv.write_text("code,item_id,date,start,end,id_number,name,window\n"
                   "YY1,no-such-item,2026-12-01,09:00,09:30,,,\n", encoding="utf-8")
    done = run_cli("hall", "import-appointments", str(csv), "--db", hall.settings.db_url,
                   cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
