"""``kiosk sync …``: the technician's view of the outbox, a manual drain, parked records.

    kiosk sync status [--json]                 queue depth, oldest unsent age, last delivery
    kiosk sync run [--until-empty] [--timeout S]  send (until nothing is pending, or for ever)
    kiosk sync parked [--json]                 records the hall server refused for good
    kiosk sync unpark (--all | ID …)           send parked records again (after a fix)

The database is the configuration's (``kiosk.database``) unless ``--db`` names another.
Never prints a payload (citizens' data) or the kiosk's token; refusals end with one line and a
non-zero exit: 1 when records are still pending at the deadline (the count on stderr), 1 when no
hall server is configured for ``run``.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING

from kiosk.cli import CommandError

if TYPE_CHECKING:  # the worker pulls in httpx: imported only when a sync command runs
    from kiosk.sync.worker import SyncWorker


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL",
                        help="database URL (sqlite:///… or postgresql://…); default: the config's")
    p = sub.add_parser("sync", help="the outbox to the hall server: status, run, parked records")
    ssub = p.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    s = ssub.add_parser("status", parents=[common],
                        help="records waiting, parked, age of the oldest, last delivery")
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.set_defaults(func=_status)
    r = ssub.add_parser("run", parents=[common], help="send pending records to the hall server")
    r.add_argument("--until-empty", action="store_true",
                   help="stop when nothing is pending (exit 0) instead of running on")
    r.add_argument("--timeout", type=_seconds, metavar="S",
                   help="with --until-empty: give up after S seconds (exit 1, count on stderr)")
    r.set_defaults(func=_run)
    k = ssub.add_parser("parked", parents=[common],
                        help="records the hall server refused for good, and why")
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=_parked)
    u = ssub.add_parser("unpark", parents=[common],
                        help="queue parked records again once their cause is fixed")
    u.add_argument("ids", nargs="*", type=int, metavar="ID", help="outbox ids from `parked`")
    u.add_argument("--all", action="store_true", help="every parked record")
    u.set_defaults(func=_unpark)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"found {text!r}, expected a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"found {text!r}, expected a positive number of seconds")
    return value


def _worker(args: argparse.Namespace) -> SyncWorker:
    from kiosk.clock import SystemClock
    from kiosk.config import database_url, load_config
    from kiosk.storage import make_engine, migrate
    from kiosk.sync.worker import SyncWorker

    config = load_config(args.config)
    engine = make_engine(args.db or database_url(config))
    migrate(engine)
    return SyncWorker(engine, config, SystemClock(config.hall.timezone))


def _status(args: argparse.Namespace) -> int:
    worker = _worker(args)
    status = worker.status()
    if args.json:
        print(json.dumps(status.to_json(), ensure_ascii=False))
        return 0
    if not status.configured:
        print("standalone: no hall server configured ([sync] url is empty); records stay in "
              "the outbox")
    else:
        assert worker.settings is not None
        print(f"hall server: {worker.settings.base_url}")
    age = "-" if status.oldest_pending_age_s is None else f"{status.oldest_pending_age_s:g} s"
    print(f"pending {status.pending}  parked {status.parked}  oldest pending {age}")
    print(f"last delivery: {status.last_sync.isoformat() if status.last_sync else 'never'}")
    if status.last_error:
        print(f"last error: {status.last_error}")
    return 0


def _run(args: argparse.Namespace) -> int:
    worker = _worker(args)
    if not worker.configured:
        raise CommandError("no hall server configured ([sync] url is empty): nothing to send to "
                           "(未配置大厅服务器)")
    if args.timeout is not None and not args.until_empty:
        raise CommandError("--timeout goes with --until-empty")
    if not args.until_empty:
        return _run_forever(worker)
    try:
        done = worker.drain(args.timeout if args.timeout is not None else float("inf"))
        status = worker.status()
    finally:
        worker.stop()
    if not done:
        why = f" (last error: {status.last_error})" if status.last_error else ""
        raise CommandError(f"{status.pending} record(s) still pending after "
                           f"{args.timeout or 0:g} s{why} (仍有 {status.pending} 条记录未发送)")
    parked = f"; {status.parked} parked (see `kiosk sync parked`)" if status.parked else ""
    print(f"nothing pending{parked}")
    return 0


def _run_forever(worker: SyncWorker) -> int:
    stopped = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker.start()
    try:
        while not stopped.wait(3600):
            pass
    finally:
        worker.stop(timeout=30)
    return 0


def _parked(args: argparse.Namespace) -> int:
    from kiosk.sync.outbox import Outbox

    rows = Outbox(_worker(args).engine).parked()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("no parked records")
    for row in rows:
        print(f"{row['id']:>7}  {row['kind']:<16} created {row['created_at']}  "
              f"parked {row['parked_at']}  {row['error'] or ''}")
    return 0


def _unpark(args: argparse.Namespace) -> int:
    from kiosk.alerts import clear_alerts
    from kiosk.clock import utc_now
    from kiosk.sync.outbox import Outbox
    from kiosk.sync.worker import SYNC_PARKED

    if bool(args.ids) == bool(args.all):
        raise CommandError("name the parked records to send again (IDs from `kiosk sync "
                           "parked`) or --all")
    worker = _worker(args)
    now = utc_now(worker.clock)
    count = Outbox(worker.engine).unpark(None if args.all else args.ids, now)
    if not Outbox(worker.engine).parked(limit=1):
        clear_alerts(worker.engine, worker.kiosk_id, [SYNC_PARKED], now)
    print(f"{count} record(s) queued again")
    return 0
