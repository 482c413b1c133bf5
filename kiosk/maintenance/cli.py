"""``kiosk maintenance set-pin`` and ``kiosk health [--json]``: the technician's shell side.

``set-pin`` asks for the new technician PIN twice without echoing it (read from standard input
when that is not a terminal, for provisioning scripts) and stores only its argon2 hash; a
mismatch or a PIN that is not 4–8 digits ends with one line and exit 1. ``health`` prints the
same health report the maintenance screen saves and the heartbeat carries (``--json``: the
document itself): devices as the running kiosk sees them, version, free disk space, outbox,
last sync, today's counters, open alerts, last errors. Never prints a PIN or citizen data.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from kiosk.cli import CommandError


def register_maintenance(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("maintenance", help="the technician's maintenance mode: set the PIN")
    msub = p.add_subparsers(dest="maintenance_command", metavar="ACTION", required=True)
    s = msub.add_parser("set-pin", help="set the technician PIN (asked twice, never echoed)")
    s.add_argument("--db", metavar="URL", help="database URL; default: the config's")
    s.set_defaults(func=_set_pin)


def register_health(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("health", help="the kiosk's health report (devices, disk, outbox, sync)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--db", metavar="URL", help="database URL; default: the config's")
    p.set_defaults(func=_health)


def _ask(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise CommandError("no PIN given on standard input (未输入密码)")
    return line.rstrip("\r\n")


def _engine(args: argparse.Namespace) -> Any:
    from kiosk.config import database_url, load_config
    from kiosk.storage import make_engine, migrate

    config = load_config(args.config)
    engine = make_engine(args.db or database_url(config))
    migrate(engine)
    return config, engine


def _set_pin(args: argparse.Namespace) -> int:
    from kiosk.clock import SystemClock
    from kiosk.maintenance.pins import PinFormatError, PinStore, check_format

    config, engine = _engine(args)
    first = _ask("New technician PIN (4-8 digits): ")
    try:
        check_format(first)
    except PinFormatError as exc:
        raise CommandError(f"PIN refused: {exc} (密码须为 4 至 8 位数字)") from None
    if _ask("Repeat the PIN: ") != first:
        raise CommandError("the two PINs differ; nothing was changed (两次输入的密码不一致)")
    m = config.maintenance
    store = PinStore(engine, hall=config.hall.code, kiosk_id=config.kiosk.id,
                     attempts=m.pin_attempts, lockout_s=m.lockout_seconds)
    store.set_pin(first, SystemClock(config.hall.timezone).now(), how="shell")
    engine.dispose()
    print(f"technician PIN set for kiosk {config.kiosk.id}")
    return 0


def _health(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from kiosk.alerts import Alerts
    from kiosk.clock import SystemClock
    from kiosk.config import data_dir
    from kiosk.maintenance.counters import CounterBook
    from kiosk.maintenance.desk import health_report
    from kiosk.maintenance.states import read_states
    from kiosk.sync.worker import SyncWorker

    config, engine = _engine(args)
    clock = SystemClock(config.hall.timezone)
    root = data_dir(config)
    kinds = [k for k in ("idcard", "scanner", "camera", "printer", "locker")
             if getattr(config.devices, k).enabled]
    devices = read_states(root, kinds)
    counters = CounterBook(engine, kiosk_id=config.kiosk.id, hall=config.hall.code,
                           clock=clock, tz=ZoneInfo(config.hall.timezone),
                           settings=config.maintenance)
    sync = SyncWorker(engine, config, clock).status()
    report = health_report(config, engine, clock.now(), root, devices, sync, counters,
                           Alerts(engine, config.kiosk.id, clock))
    engine.dispose()
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"kiosk {report['kiosk_id']} ({report['hall']})  version {report['version']}  "
          f"at {report['generated_at']}")
    for kind, info in report["devices"].items():
        reason = f"  {info.get('reason')}" if info.get("reason") else ""
        print(f"  {kind:<8} {info.get('state')}{reason}")
    free = report["disk_free_bytes"]
    print(f"disk free: {free / 1e9:.2f} GB" if isinstance(free, int) else "disk free: unknown")
    o = report["outbox"]
    age = "-" if o["oldest_age_s"] is None else f"{o['oldest_age_s']:g} s"
    print(f"outbox: pending {o['pending']}  parked {o['parked']}  oldest {age}")
    print(f"last sync: {report['last_sync'] or 'never'}")
    c = report["counters"]
    print(f"today: tickets {c['tickets_issued']}  receipts {c['receipts_printed']}  "
          f"card reads {c['card_reads']} (failed {c['card_failures']})  decode failures "
          f"{c['decode_failures']}  device errors {c['device_errors']}  paper left "
          f"{c['paper_left_m']} m{' LOW' if c['paper_low'] else ''}")
    for a in report["alerts"]:
        print(f"alert: {a['kind']}: {a['message']}")
    for e in report["last_errors"][:10]:
        print(f"{e['level']:<7} {e['ts']} {e['logger']}: {e['msg']}")
    return 0
