"""The recent log on the technician's screen: read from the end of the JSON-lines file within
a bound, newest first, filtered by level and by device, torn or foreign lines kept readable."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.maintenance import logs
from kiosk.maintenance.logs import read_log


def write(path: Path, entries: list[dict[str, str]], tail: str = "") -> None:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries) + tail,
                    "utf-8")


def test_newest_first_filtered_by_level_and_device(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.log"
    write(path, [
        {"ts": "2026-06-01T10:00:01.000", "level": "INFO", "logger": "kiosk.devices",
         "msg": "device printer is ok "},
        {"ts": "2026-06-01T10:00:02.000", "level": "WARNING", "logger": "kiosk.devices",
         "msg": "idcard failed: timeout"},
        {"ts": "2026-06-01T10:00:03.000", "level": "ERROR", "logger": "kiosk.flows.printing",
         "msg": "receipt print failed: paper out"},
        {"ts": "2026-06-01T10:00:04.000", "level": "DEBUG", "logger": "kiosk.flows.base",
         "msg": "queue: confirm changed estimate"},
    ], tail='not json at all\n{"torn": ')
    everything = read_log(path, min_level="DEBUG")
    assert [line.msg[:9] for line in everything[2:]] == ["queue: co", "receipt p",
                                                         "idcard fa", "device pr"]
    assert everything[0].msg == '{"torn":' and everything[1].msg == "not json at all"
    assert [x.level for x in read_log(path, min_level="WARNING")][-2:] == ["ERROR", "WARNING"]
    assert [x.msg for x in read_log(path, device="idcard")] == ["idcard failed: timeout"]
    assert [x.msg[:7] for x in read_log(path, device="printer", min_level="INFO")] == [
        "receipt", "device "]
    assert len(read_log(path, limit=2)) == 2
    assert read_log(tmp_path / "missing.log") == []


def test_a_huge_log_is_read_only_from_its_end(tmp_path: Path, monkeypatch) -> None:
    """Given a log far larger than the bound, then only its end is read and the first
    (cut) line is dropped, not shown half."""
    monkeypatch.setattr(logs, "MAX_BYTES", 4096)
    path = tmp_path / "kiosk.log"
    write(path, [{"ts": f"t{i:06d}", "level": "INFO", "logger": "x", "msg": f"line {i:06d}"}
                 for i in range(5000)])
    lines = read_log(path, limit=1000)
    assert lines[0].msg == "line 004999"
    assert all(line.msg.startswith("line ") for line in lines) and len(lines) < 60
