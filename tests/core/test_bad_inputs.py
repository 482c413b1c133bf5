"""Every bad input a careless technician or a hostile file can give: one line, non-zero, no trace.

Each case builds its input in a fresh folder, runs the ``kiosk`` command line the way a technician
would (in-process through ``kiosk.cli.main``, so a traceback would fail the test as an exception),
and checks: a non-zero exit, exactly one line on stderr naming the problem, no traceback, and no
personal data (the ID number or name planted in the input) echoed. Inputs that used to hang (a
FIFO, ``/dev/zero``, nan seconds) run in a child process with a deadline instead, so a regression
fails rather than hangs. ``CASES`` is the count the README quotes.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.cli import main

ID_NUMBER = "11010519491231002X"
NAME = "欧阳娜娜"
SECRET_HEX = "ab" * 32


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], list[str]]  # makes the input under tmp, returns the kiosk argv
    says: str  # a fragment the one line must contain
    child: bool = False  # run as a process with a deadline (the input used to hang)


def site(tmp: Path, body: str = "", *, secret: bool = True, data_dir: str = "") -> Path:
    """A site file whose data folder is under ``tmp`` (and a valid hall secret in it)."""
    data = tmp / "var"
    data.mkdir(exist_ok=True)
    if secret:
        (data / "hall_secret").write_text(SECRET_HEX + "\n", encoding="ascii")
    path = tmp / "site.toml"
    head = f'[kiosk]\ndata_dir = "{data_dir or data}"\n'
    if body.startswith("[kiosk]\n"):
        head, body = head + body.removeprefix("[kiosk]\n"), ""
    path.write_text(head + body, encoding="utf-8")
    return path


def check(tmp: Path, body: str) -> list[str]:
    return ["--config", str(site(tmp, body)), "config", "check"]


def raw_config(tmp: Path, data: bytes) -> list[str]:
    path = tmp / "raw.toml"
    path.write_bytes(data)
    return ["--config", str(path), "config", "check"]


def fifo(tmp: Path, name: str = "pipe") -> Path:
    path = tmp / name
    os.mkfifo(path)
    return path


def png(path: Path, width: int, height: int) -> Path:
    """A valid grayscale PNG of any claimed size, built row by row (20000×20000 is ~440 KB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def appointments(tmp: Path, name: str, data: bytes) -> list[str]:
    path = tmp / name
    path.write_bytes(data)
    return ["--config", str(site(tmp)), "queue", "import-appointments", str(path)]


def csv_file(tmp: Path) -> str:
    path = tmp / "a.csv"
    path.write_bytes(csv_row())
    return str(path)


def csv_row(**fields: str) -> bytes:
    header = "code,item_id,date,start,end,id_number,name,window\n"
    row = {"code": "Q7F3K9", "item_id": "social-security-card", "date": "2026-01-05",
           "start": "09:00", "end": "09:30", "id_number": ID_NUMBER, "name": NAME, "window": ""}
    row.update(fields)
    return (header + ",".join(row.values()) + "\n").encode("utf-8")


CASES = [
    # ---- configuration files ----
    Case("config saved as UTF-16", lambda t: raw_config(
        t, '[kiosk]\nid = "K02"\n'.encode("utf-16")), "UTF-16"),
    Case("config saved as GBK", lambda t: raw_config(
        t, '[hall]\nname = "泉州"\n'.encode("gbk")), "not UTF-8"),
    Case("config nested 2000 deep", lambda t: raw_config(
        t, b"a = " + b"[" * 2000 + b"]" * 2000 + b"\n"), "nested too deeply"),
    Case("config of 5 MB", lambda t: raw_config(t, b"# " + b"x" * (5 << 20) + b"\n"),
         "at most 4.0 MiB"),
    Case("--config names a folder", lambda t: ["--config", str(t), "config", "check"],
         "a directory"),
    Case("--config names a FIFO", lambda t: ["--config", str(fifo(t)), "config", "check"],
         "FIFO", child=True),
    Case("--config /dev/zero", lambda t: ["--config", "/dev/zero", "config", "check"],
         "device file", child=True),
    Case("elder_factor inf", lambda t: check(t, "[timeouts]\nelder_factor = inf\n"),
         "timeouts.elder_factor"),
    Case("elder_factor nan", lambda t: check(t, "[timeouts]\nelder_factor = nan\n"),
         "timeouts.elder_factor"),
    Case("elder_factor 1e308", lambda t: check(t, "[timeouts]\nelder_factor = 1e308\n"),
         "timeouts.elder_factor"),
    Case("camera index -1", lambda t: check(
        t, "[devices.camera]\nsettings = { index = -1 }\n"), "devices.camera.settings.index"),
    Case("locker timeout nan", lambda t: check(t, "[devices.locker]\ntimeout = nan\n"),
         "devices.locker.timeout"),
    Case("locker timeout negative", lambda t: check(t, "[devices.locker]\ntimeout = -1.0\n"),
         "devices.locker.timeout"),
    Case("idcard timeout inf", lambda t: check(t, "[devices.idcard]\ntimeout = inf\n"),
         "devices.idcard.timeout"),
    Case("locker doors 200", lambda t: check(
        t, "[devices.locker]\nsettings = { doors = 200 }\n"), "devices.locker.settings.doors"),
    Case("locker board 300", lambda t: check(
        t, "[devices.locker]\nsettings = { board = 300 }\n"), "devices.locker.settings.board"),
    Case("locker retries 99", lambda t: check(
        t, "[devices.locker]\nsettings = { retries = 99 }\n"),
        "devices.locker.settings.retries"),
    Case("scanner gap 0 ms", lambda t: check(
        t, "[devices.scanner]\nsettings = { gap_ms = 0 }\n"), "devices.scanner.settings.gap_ms"),
    Case("printer baud 0", lambda t: check(t, "[devices.printer]\nbaud = 0\n"),
         "devices.printer.baud"),
    Case("network printer port 70000", lambda t: check(
        t, '[devices.printer]\ndriver = "network"\nport = "10.0.0.5:70000"\n'),
        "devices.printer.port"),
    Case("sync url port 70000", lambda t: check(
        t, '[sync]\nurl = "http://hall:70000"\ntoken = "t"\n'), "sync.url"),
    Case("MySQL database URL", lambda t: check(
        t, '[kiosk]\ndatabase = "mysql://kiosk:pw@db/hall"\n'), "other databases"),
    Case("unparsable database URL", lambda t: check(t, '[kiosk]\ndatabase = "::::"\n'),
         "kiosk.database"),
    Case("PostgreSQL port 99999", lambda t: check(
        t, '[kiosk]\ndatabase = "postgresql://k@db:99999/hall"\n'), "port is from 1 to 65535"),
    Case("catalogue saved as UTF-16", lambda t: (
        (t / "cat.toml").write_bytes('[[categories]]\ncode = "A"\n'.encode("utf-16")),
        ["--config", str(site(t, f'[kiosk]\ncatalogue = "{t / "cat.toml"}"\n')),
         "queue", "status"])[1], "UTF-16"),
    Case("catalogue is a FIFO", lambda t: [
        "--config", str(site(t, f'[kiosk]\ncatalogue = "{fifo(t, "cat.toml")}"\n')),
        "queue", "status"], "FIFO", child=True),
    Case("data folder is a file", lambda t: (
        (t / "afile").write_text("x", encoding="utf-8"),
        ["--config", str(site(t, data_dir=str(t / "afile"))),
         "queue", "status"])[1], "kiosk.data_dir"),
    Case("data folder read-only", lambda t: [
        "--config", str(site(t, data_dir="/proc")),
        "queue", "status"], "read-only"),
    # ---- the hall secret ----
    Case("init-secret over an existing secret", lambda t: (
        (t / "s").write_text("not hex at all\n", encoding="ascii"),
        appointments(t, "a.csv", csv_row())[:2] + ["hall", "init-secret", "--file",
                                                    str(t / "s")])[1], "already there"),
    Case("hall secret not hex", lambda t: (
        site(t), (t / "var" / "hall_secret").write_text("not hex at all\n", encoding="ascii"),
        ["--config", str(t / "site.toml"), "queue", "import-appointments", csv_file(t)])[2],
        "hex digits"),
    Case("hall secret file of non-hex bytes", lambda t: (
        (t / "var").mkdir(),
        (t / "var" / "hall_secret").write_bytes(b"\xff\xfe" * 40),
        ["--config", str(site(t, secret=False)), "queue", "import-appointments",
         csv_file(t)])[2], "hex digits"),
    Case("hall.secret_file with a typo", lambda t: [
        "--config", str(site(t, f'[hall]\nsecret_file = "{t / "hall_secert"}"\n')),
        "queue", "import-appointments", csv_file(t)],
        "init-secret"),
    Case("sync.token_file is a FIFO", lambda t: [
        "--config", str(site(t, f'[sync]\nurl = "http://hall:8080"\n'
                                f'token_file = "{fifo(t, "token")}"\n')), "sync", "status"],
        "FIFO", child=True),
    Case("hall staff --password-file /dev/zero", lambda t: [
        "--config", str(site(t)), "hall", "staff", "add", "clerk1", "--role", "clerk",
        "--password-file", "/dev/zero", "--db", f"sqlite:///{t / 'hall.sqlite3'}"],
        "device file", child=True),
    # ---- technician arguments ----
    Case("scanner --baud 0", lambda t: ["device", "scanner", "listen", "--port", "loop://",
                                        "--baud", "0"], "--baud"),
    Case("scanner --wait nan", lambda t: ["device", "scanner", "listen", "--port", "loop://",
                                          "--wait", "nan"], "--wait", child=True),
    Case("scanner --count 0", lambda t: ["device", "scanner", "listen", "--port", "loop://",
                                         "--count", "0"], "--count"),
    Case("idcard --timeout nan", lambda t: ["device", "idcard", "read", "--port", "loop://",
                                            "--timeout", "nan"], "--timeout", child=True),
    Case("idcard --baud 12345", lambda t: ["device", "idcard", "sam", "--port", "loop://",
                                           "--baud", "12345"], "--baud"),
    Case("locker --timeout -1", lambda t: ["device", "locker", "status", "--port", "loop://",
                                           "--protocol", "8a", "--timeout", "-1"], "--timeout"),
    Case("locker --retries 1000", lambda t: ["device", "locker", "status", "--port", "loop://",
                                             "--protocol", "8a", "--retries", "1000"],
         "--retries"),
    Case("locker --board 256", lambda t: ["device", "locker", "status", "--port", "loop://",
                                          "--protocol", "8a", "--board", "256"], "--board"),
    Case("printer --host port 70000", lambda t: ["device", "printer", "status", "--host",
                                                 "127.0.0.1:70000"], "--host"),
    Case("printer --timeout inf", lambda t: ["device", "printer", "status", "--host",
                                             "127.0.0.1", "--timeout", "inf"], "--timeout"),
    Case("hall serve --port 70000", lambda t: ["hall", "serve", "--port", "70000"], "65535"),
    Case("sync --timeout nan", lambda t: ["sync", "run", "--until-empty", "--timeout", "nan"],
         "--timeout", child=True),
    # ---- images ----
    Case("zero-byte image", lambda t: ["device", "scanner", "decode", str(
        (t / "e.png", (t / "e.png").write_bytes(b""))[0])], "empty file"),
    Case("100000×10 image", lambda t: ["device", "scanner", "decode",
                                       str(png(t / "strip.png", 100_000, 10))], "100000×10"),
    Case("20000×20000 image (439 KB)", lambda t: ["device", "scanner", "decode",
                                                  str(png(t / "bomb.png", 20_000, 20_000))],
         "too large", child=True),
    Case("decode /dev/zero", lambda t: ["device", "scanner", "decode", "/dev/zero"],
         "device file", child=True),
    Case("decode a FIFO", lambda t: ["device", "scanner", "decode", str(fifo(t))], "FIFO",
         child=True),
    Case("decode a text file", lambda t: ["device", "scanner", "decode", str(
        (t / "n.png", (t / "n.png").write_text("hello", encoding="utf-8"))[0])],
         "not an image"),
    # ---- appointment imports (names and ID numbers inside: never echoed) ----
    Case("appointments: bad JSON", lambda t: appointments(
        t, "a.json", f'[{{"code": "Q1", "id_number": "{ID_NUMBER}", "name": "{NAME}"'
        .encode()), "invalid JSON"),
    Case("appointments: CSV in GBK", lambda t: appointments(
        t, "a.csv", csv_row().decode("utf-8").encode("gbk")), "not UTF-8"),
    Case("appointments: CSV in UTF-16", lambda t: appointments(
        t, "a.csv", csv_row().decode("utf-8").encode("utf-16")), "UTF-16"),
    Case("appointments: a row that is a string", lambda t: appointments(
        t, "a.json", f'["{ID_NUMBER} {NAME}"]'.encode()), "a JSON string"),
    Case("appointments: columns shifted", lambda t: appointments(
        t, "a.csv", csv_row(date=ID_NUMBER, start=NAME)), "date"),
    Case("appointments: a name in the window column", lambda t: appointments(
        t, "a.csv", csv_row(window=NAME)), "window"),
    Case("appointments: file is a FIFO", lambda t: appointments(t, "x.csv", b"")[:4] + [
        str(fifo(t, "p.csv"))], "FIFO", child=True),
    # ---- the app itself ----
    Case("kiosk run without a display", lambda t: [
        "--config", str(site(t)), "run"], "no display", child=True),
    Case("kiosk run with a malformed hall secret", lambda t: (
        site(t), (t / "var" / "hall_secret").write_text("abcd\n", encoding="ascii"),
        ["--config", str(t / "site.toml"), "run", "--simulate"])[2], "at least 16 bytes"),
]


def _child(argv: list[str], tmp: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "KIOSK_CONFIG", "KIOSK_HALL_SECRET")}
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", *argv], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=90, check=False)
    return done.returncode, done.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_in_one_line(case: Case, tmp_path: Path, monkeypatch, capsys):
    """Given a bad input, when the kiosk command meets it, then it exits non-zero with exactly
    one line on stderr that names the problem, no traceback, and nothing personal."""
    monkeypatch.chdir(tmp_path)
    for var in ("KIOSK_CONFIG", "KIOSK_HALL_SECRET", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    argv = case.build(tmp_path)
    if case.child:
        code, err = _child(argv, tmp_path)
    else:
        code = main(argv)
        err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code != 0, f"exit 0 for {case.name}: {err}"
    assert "Traceback" not in err
    assert len(lines) == 1, f"expected one line, got {lines}"
    assert case.says in lines[0], lines[0]
    assert ID_NUMBER not in err and NAME not in err and "pw@" not in err

