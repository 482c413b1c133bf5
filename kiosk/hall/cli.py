"""``kiosk hall …``: run the hall server and administer it (kiosks, staff, stats, OpenAPI).

Heavy imports (FastAPI, uvicorn, the models) happen inside the command functions so that
``kiosk --help`` and every other command stay fast. Refusals end with a non-zero exit and one
clear line on stderr, never a traceback. A kiosk token is printed once, as the last line of
stdout; tokens and passwords are never logged.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.cli import CommandError

if TYPE_CHECKING:
    from kiosk.hall.settings import HallSettings

DEFAULT_PORT = 8080


def register(sub: argparse._SubParsersAction) -> None:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", metavar="URL",
                    help="the hall database (postgresql://… for a hall, sqlite:///… for a "
                         "one-box demo); default: kiosk.database of the site file")
    p = sub.add_parser("hall", help="the hall server: serve the kiosks' API, kiosks, staff, stats")
    hsub = p.add_subparsers(dest="hall_command", metavar="ACTION", required=True)

    s = hsub.add_parser("serve", parents=[db], help="run the hall server (HTTP JSON API + console)",
                        description="Run the hall server: the kiosks' API under /api/v1, the "
                                    "staff console, /healthz. Migrates the database first.")
    s.add_argument("--host", default="127.0.0.1", metavar="H",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 for the hall LAN)")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="P",
                   help=f"TCP port (default {DEFAULT_PORT})")
    s.add_argument("--files", metavar="DIR",
                   help="folder for material images and notifications "
                        "(default: <kiosk.data_dir>/hall-files)")
    s.add_argument("--tls-cert", metavar="F", help="TLS certificate chain (PEM); with --tls-key")
    s.add_argument("--tls-key", metavar="F", help="TLS private key (PEM); with --tls-cert")
    s.add_argument("--contact-days", type=int, default=1, metavar="N",
                   help="bad rating: contact the rater within N working days (default 1)")
    s.add_argument("--fix-days", type=int, default=15, metavar="N",
                   help="bad rating: fix the cause within N working days (default 15)")
    s.add_argument("--holiday", action="append", default=[], metavar="YYYY-MM-DD",
                   help="a public holiday (not a working day); repeat for each")
    s.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"))
    s.set_defaults(func=_serve)

    k = hsub.add_parser("kiosk", help="kiosk accounts: add (prints the token once), revoke")
    ksub = k.add_subparsers(dest="kiosk_command", metavar="ACTION", required=True)
    ka = ksub.add_parser("add", parents=[db], help="register a kiosk; its token is the last line")
    ka.add_argument("kiosk_id", metavar="ID", help="kiosk id, e.g. K03")
    ka.set_defaults(func=_kiosk_add)
    kr = ksub.add_parser("revoke", parents=[db], help="revoke a kiosk's token at once")
    kr.add_argument("kiosk_id", metavar="ID")
    kr.set_defaults(func=_kiosk_revoke)

    st = hsub.add_parser("staff", help="staff accounts for the console")
    ssub = st.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    sa = ssub.add_parser("add", parents=[db],
                         help="add a clerk (窗口工作人员) or supervisor (值班长)",
                         description="The password is read twice without echo on a terminal, "
                                     "else from --password-file or the first line of stdin.")
    sa.add_argument("username", metavar="USER")
    sa.add_argument("--role", required=True, choices=("clerk", "supervisor"))
    sa.add_argument("--password-file", metavar="F", help="read the password from this file")
    sa.set_defaults(func=_staff_add)

    stats = hsub.add_parser("stats", parents=[db], help="distinct records received")
    stats.add_argument("--json", action="store_true", help="one JSON object on stdout")
    stats.set_defaults(func=_stats)

    o = hsub.add_parser("openapi", help="print the API's OpenAPI document "
                                        "(kiosk hall openapi > config/hall-openapi.json)")
    o.set_defaults(func=_openapi)

    a = hsub.add_parser("import-appointments", parents=[db],
                        help="import the booking system's appointments (CSV or JSON)")
    a.add_argument("file", metavar="FILE")
    a.set_defaults(func=_import_appointments)

    i = hsub.add_parser("init-secret",
                        help="make the hall secret (once per hall; copy the file to every kiosk)",
                        description="Write a new random hall secret (mode 0600) to --file, else "
                                    "hall.secret_file, else <kiosk.data_dir>/hall_secret. Never "
                                    "replaces an existing secret: the hall's ID hashes, ticket "
                                    "and receipt tokens depend on it.")
    i.add_argument("--file", metavar="PATH", help="where to write it (default: as configured)")
    i.set_defaults(func=_init_secret)

    c = hsub.add_parser("pickup-code", parents=[db],
                        help="issue a locker pickup code for a case and notify the applicant")
    c.add_argument("case_number", metavar="CASE")
    c.add_argument("--compartment", type=int, required=True, metavar="N")
    c.set_defaults(func=_pickup_code)


def _settings(args: argparse.Namespace, files: str | None = None) -> HallSettings:
    from pydantic import ValidationError
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from kiosk.config import database_url, load_config
    from kiosk.hall.settings import HallSettings

    url = args.db or database_url(load_config(args.config))
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = ""
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise CommandError(f"--db {url.split('@')[-1][:80]}: expected sqlite:///FILE or "
                           "postgresql://USER@HOST/DB")
    try:
        return HallSettings.load(url, files_dir=files, config_file=args.config)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CommandError(f"hall settings: {'.'.join(map(str, err['loc']))}: "
                           f"{err['msg']}") from None
    except ValueError as exc:  # the hall secret file or variable is malformed
        raise CommandError(str(exc)) from None


def _init_secret(args: argparse.Namespace) -> int:
    from kiosk.config import data_dir, load_config
    from kiosk.privacy import SECRET_FILE, read_hall_secret, write_hall_secret

    config = load_config(args.config)
    path = Path(args.file or config.hall.secret_file or data_dir(config) / SECRET_FILE)
    if path.exists() or path.is_symlink():
        raise CommandError(f"{path}: a hall secret is already there; it is never replaced "
                           "(remove it yourself only if no kiosk or hall server uses it)")
    try:
        write_hall_secret(path)
    except OSError as exc:
        raise CommandError(f"{path}: cannot write the hall secret ({exc.strerror})") from None
    read_hall_secret(path)  # the file just written is what every kiosk will read
    print(f"hall secret written to {path} (mode 0600); copy this file to every kiosk and hall "
          "server of the hall and set hall.secret_file to it")
    return 0


def _sessions(args: argparse.Namespace):  # noqa: ANN202 - sessionmaker, imported lazily
    from kiosk.hall.db import migrate_hall, open_engine, session_factory

    engine = open_engine(_settings(args).db_url, pool_size=1)
    migrate_hall(engine)
    return session_factory(engine)


def _serve(args: argparse.Namespace) -> int:
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CommandError("--tls-cert and --tls-key go together: give both or neither")
    for opt, value in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key)):
        if value and not Path(value).is_file():
            raise CommandError(f"{opt} {value}: no such file")
    if not 0 < args.port < 65536:
        raise CommandError(f"--port {args.port}: expected 1-65535")
    from datetime import date

    import uvicorn

    from kiosk.hall.app import create_app
    from kiosk.hall.settings import FollowUpDeadlines

    for day in args.holiday:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise CommandError(f"--holiday {day}: expected a date such as 2026-10-01") from None
    if not (0 <= args.contact_days <= 60 and 0 <= args.fix_days <= 365):
        raise CommandError("--contact-days: expected 0-60, --fix-days: expected 0-365")
    followup = FollowUpDeadlines(contact_working_days=args.contact_days,
                                 fix_working_days=args.fix_days, holidays=tuple(args.holiday))
    settings = _settings(args, args.files).model_copy(update={"followup": followup})
    settings.files_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                    ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key, access_log=False,
                    timeout_graceful_shutdown=5)
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    return 0


def _kiosk_add(args: argparse.Namespace) -> int:
    from kiosk.hall.auth import AccountError, add_kiosk

    sessions = _sessions(args)
    try:
        with sessions.begin() as session:
            token = add_kiosk(session, args.kiosk_id)
    except AccountError as exc:
        raise CommandError(str(exc)) from None
    print(f"kiosk {args.kiosk_id} registered; its token (shown once, put it in the kiosk's "
          "site file as [sync] token):")
    print(token)
    return 0


def _kiosk_revoke(args: argparse.Namespace) -> int:
    from kiosk.hall.auth import AccountError, revoke_kiosk

    try:
        with _sessions(args).begin() as session:
            revoke_kiosk(session, args.kiosk_id)
    except AccountError as exc:
        raise CommandError(str(exc)) from None
    print(f"kiosk {args.kiosk_id}: token revoked")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_file:
        from config.files import FileRefused, read_bounded, text_of

        try:  # a regular file only: a FIFO would block, /dev/zero would never end
            data = read_bounded(args.password_file, 4096, "a file holding the password")
            return text_of(args.password_file, data).splitlines()[0]
        except FileRefused as exc:
            raise CommandError(f"--password-file {exc}") from None
        except IndexError:
            raise CommandError(f"--password-file {args.password_file}: cannot read a "
                               "password from it") from None
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise CommandError("the two passwords differ")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise CommandError("no password on stdin (or use --password-file)")
    return line


def _staff_add(args: argparse.Namespace) -> int:
    from kiosk.hall.auth import AccountError, add_staff

    password = _read_password(args)
    try:
        with _sessions(args).begin() as session:
            staff = add_staff(session, args.username, password, args.role)
    except AccountError as exc:
        raise CommandError(str(exc)) from None
    print(f"staff {staff.username} added as {staff.role}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    from kiosk.hall.services.stats import hall_stats

    with _sessions(args)() as session:
        stats = hall_stats(session)
    if args.json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:18} {value}")
    return 0


def openapi_document() -> dict[str, object]:
    """The API's OpenAPI document, independent of any database or site file."""
    import tempfile

    from kiosk.hall.app import create_app
    from kiosk.hall.settings import HallSettings

    settings = HallSettings(db_url="sqlite://", files_dir=Path(tempfile.gettempdir()),
                            hall_code="DOC", secret=b"\0" * 32)
    app = create_app(settings, migrate=False)
    doc = app.openapi()
    app.state.engine.dispose()
    return doc


def _openapi(args: argparse.Namespace) -> int:
    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=True))
    return 0


def _import_appointments(args: argparse.Namespace) -> int:
    from kiosk.clock import SystemClock
    from kiosk.config import load_config
    from kiosk.hall.db import migrate_hall, open_engine
    from kiosk.queue.errors import AppointmentImportError
    from kiosk.queue.service import QueueService

    settings = _settings(args)
    engine = open_engine(settings.db_url, pool_size=1)
    migrate_hall(engine)
    service = QueueService(engine, settings.catalogue(), load_config(args.config),
                           SystemClock(settings.tz), "hall", secret=settings.secret)
    try:
        result = service.import_appointments(args.file)
    except AppointmentImportError as exc:
        raise CommandError(str(exc)) from None
    print(f"appointments: {result.added} added, {result.updated} updated, "
          f"{result.unchanged} already checked in")
    return 0


def _pickup_code(args: argparse.Namespace) -> int:
    from kiosk.hall.notify import FileNotifier
    from kiosk.hall.services.errors import ServiceRefusal
    from kiosk.hall.services.lockers import issue_pickup_code

    settings = _settings(args)
    try:
        with _sessions(args).begin() as session:
            issue_pickup_code(session, args.case_number, args.compartment, actor="cli",
                              settings=settings,
                              notifier=FileNotifier(settings.notifications_path))
    except ServiceRefusal as exc:
        raise CommandError(f"{exc.message_en} ({exc.message_zh})") from None
    print(f"pickup code for {args.case_number} (compartment {args.compartment}) sent to the "
          "applicant")
    return 0
