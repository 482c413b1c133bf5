"""``kiosk locker …``: what staff and technicians do to the locker from a shell.

``staff add`` registers a member of staff for this kiosk's locker (PIN read from a file or
stdin, never from the command line where ``ps`` shows it; the staff card as an ID number read
from a file, stored only as its hash; or a staff QR text); ``status`` lists what each
compartment holds and which doors are out of service (no names, no codes); ``return`` puts a
repaired door back in service. Errors are one line with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from config.schema import Config
from kiosk.cli import CommandError
from kiosk.config import data_dir, database_url, load_config
from kiosk.lockers.cabinet import Cabinet
from kiosk.lockers.staff import StaffDesk
from kiosk.storage import make_engine, migrate


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("locker", help="the document locker: staff, compartments, faulty doors")
    lsub = p.add_subparsers(dest="locker_command", metavar="ACTION", required=True)
    a = lsub.add_parser("staff-add", help="register staff: a PIN and a staff card or QR")
    a.add_argument("staff_id", metavar="STAFF_ID")
    a.add_argument("--pin-file", required=True, metavar="FILE",
                   help="file holding the 4-12 digit PIN ('-' reads stdin)")
    a.add_argument("--card-id-file", metavar="FILE",
                   help="file holding the staff card's ID number (stored only hashed)")
    a.add_argument("--qr", metavar="TEXT", help="the text of the staff QR code")
    a.set_defaults(func=_staff_add)
    s = lsub.add_parser("status", help="what each compartment holds, doors out of service")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_status)
    r = lsub.add_parser("return", help="put a repaired door back in service")
    r.add_argument("door", type=int, metavar="DOOR")
    r.set_defaults(func=_return)


def _read(path: str, what: str) -> str:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    return text.strip()


def _context(args: argparse.Namespace) -> tuple[Config, Engine, bytes]:
    from kiosk.privacy import load_hall_secret

    config = load_config(args.config)
    # the secret first, as the kiosk itself does: a first run on a fresh data folder may make
    # it, which it must not once the database exists (that would be a second key for the hall)
    secret = load_hall_secret(data_dir(config), config.hall.secret_file)
    engine = make_engine(database_url(config))
    migrate(engine)
    return config, engine, secret


def _staff_add(args: argparse.Namespace) -> int:
    from kiosk.clock import SystemClock
    from kiosk.privacy import id_hash

    config, engine, secret = _context(args)
    pin = _read(args.pin_file, "PIN")
    card_hash = None
    if args.card_id_file:
        number = _read(args.card_id_file, "card's ID number")
        if len(number) != 18:
            raise CommandError(f"{args.card_id_file}: expected an 18-character ID number")
        card_hash = id_hash(number, secret)
    if card_hash is None and not args.qr:
        raise CommandError("give --card-id-file or --qr: staff sign in with a card or a QR")
    desk = StaffDesk(engine, config.locker, SystemClock(config.hall.timezone),
                     secret)
    try:
        desk.add(args.staff_id, pin, card_hash=card_hash, qr_text=args.qr)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    except IntegrityError:
        raise CommandError(f"staff {args.staff_id} or that card or QR is already "
                           "registered") from None
    print(f"staff {args.staff_id} registered")
    return 0


def _status(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from kiosk.storage.models import LockerCompartment, LockerItem

    config, engine, _ = _context(args)
    cabinet = Cabinet.from_config(config.locker, config.locker_doors)
    with engine.connect() as conn:
        held = {r.compartment: r for r in conn.execute(select(LockerItem).where(
            LockerItem.state.in_(("depositing", "held"))))}
        broken = {r.number: r.fault for r in conn.execute(select(LockerCompartment).where(
            LockerCompartment.out_of_service_at.is_not(None)))}
    rows = [{"door": c.number, "size": c.size, "cabinet": c.cabinet,
             "holds": held[c.number].kind if c.number in held else None,
             "case": held[c.number].case_number if c.number in held else None,
             "expires_at": (held[c.number].expires_at.isoformat()
                            if c.number in held and held[c.number].expires_at else None),
             "out_of_service": broken.get(c.number)} for c in cabinet.compartments]
    if args.json:
        print(json.dumps({"compartments": rows}, ensure_ascii=False))
        return 0
    for r in rows:
        state = r["holds"] or "free"
        fault = f"  OUT OF SERVICE: {r['out_of_service']}" if r["out_of_service"] else ""
        print(f"{r['door']:>3} {r['size']} {state:<8} {r['case'] or ''}{fault}")
    return 0


def _return(args: argparse.Namespace) -> int:
    from sqlalchemy import update

    from kiosk.clock import SystemClock, utc_now
    from kiosk.storage.models import LockerCompartment

    config, engine, _ = _context(args)
    with engine.begin() as conn:
        done = conn.execute(update(LockerCompartment).where(
            LockerCompartment.number == args.door,
            LockerCompartment.out_of_service_at.is_not(None)).values(
            out_of_service_at=None, fault=None,
            updated_at=utc_now(SystemClock(config.hall.timezone))))
    if not done.rowcount:
        raise CommandError(f"door {args.door} is not out of service")
    print(f"door {args.door} is back in service")
    return 0
