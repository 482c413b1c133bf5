"""``kiosk queue …``: the counter side (call, recall, skip, done, status), issuing, imports, bench.

Counter actions go through ``CounterService`` and issuing through ``QueueService``, exactly as
the touchscreen and the hall server do.
The database is the configuration's (``kiosk.database``) unless ``--db`` names another. Refusals
end with exit code 1 and one line in English and Chinese; never a traceback.
"""

from __future__ import annotations

import argparse
import json

from kiosk.catalogue import load_catalogue
from kiosk.cli import CommandError
from kiosk.config import database_url, load_config
from kiosk.queue.counter import CounterService
from kiosk.queue.errors import AppointmentImportError, QueueRefusal
from kiosk.queue.service import QueueService
from kiosk.storage import make_engine, migrate


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL",
                        help="database URL (sqlite:///… or postgresql://…); default: the config's")
    p = sub.add_parser("queue", help="the hall queue: issue, call, recall, skip, done, status")
    qsub = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    for name, text in (("call", "finish the window's current ticket and call the next"),
                       ("recall", "announce the window's current ticket again"),
                       ("skip", "the called citizen did not come (过号)"),
                       ("done", "the window's current citizen has been served")):
        c = qsub.add_parser(name, parents=[common], help=text)
        c.add_argument("--window", required=True, metavar="W", help="window id, e.g. A01")
        c.add_argument("--json", action="store_true", help="print the ticket as JSON")
        c.set_defaults(func=_counter, action=name)
    s = qsub.add_parser("status", parents=[common], help="waiting per category, average wait")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_status)
    i = qsub.add_parser("issue", parents=[common], help="issue a ticket (tests and demos)")
    i.add_argument("item", metavar="ITEM", help="service item id from the catalogue")
    i.add_argument("--group", metavar="G", help="declared green-channel group, e.g. pregnant")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_issue)
    a = qsub.add_parser("import-appointments", parents=[common],
                        help="import appointments from a CSV or JSON file")
    a.add_argument("file", metavar="FILE")
    a.set_defaults(func=_import)
    b = qsub.add_parser("bench", parents=[common],
                        help="K kiosk processes issue N tickets in all; count duplicates and gaps")
    b.add_argument("--kiosks", type=int, default=4, metavar="K")
    b.add_argument("--tickets", type=int, default=2000, metavar="N")
    b.add_argument("--item", default="unemployment-registration", metavar="ITEM")
    b.add_argument("--keep", action="store_true", help="keep the benchmark's tickets")
    b.set_defaults(func=_bench)


def _service(args: argparse.Namespace) -> QueueService:
    config = load_config(args.config)
    engine = make_engine(args.db or database_url(config))
    migrate(engine)
    return QueueService(engine, load_catalogue(config.kiosk.catalogue or None), config)


def _counter_service(args: argparse.Namespace) -> CounterService:
    config = load_config(args.config)
    engine = make_engine(args.db or database_url(config))
    migrate(engine)
    return CounterService(engine, load_catalogue(config.kiosk.catalogue or None), config)


def _refused(exc: QueueRefusal) -> CommandError:
    return CommandError(f"{exc.message_en} ({exc.message_zh})")


def _counter(args: argparse.Namespace) -> int:
    service = _counter_service(args)
    try:
        ticket = getattr(service, {"call": "call_next"}.get(args.action, args.action))(args.window)
    except QueueRefusal as exc:
        raise _refused(exc) from None
    if args.json:
        print(json.dumps(ticket.to_json(), ensure_ascii=False))
    else:
        mark = " 绿色通道" if ticket.priority_reason else ""
        print(f"{ticket.number} {ticket.status} at {ticket.window_id}: {ticket.item_name}{mark}"
              f" (waited {ticket.waited_minutes:g} min, recalls {ticket.recalls})")
    return 0


def _status(args: argparse.Namespace) -> int:
    status = _counter_service(args).status()
    if args.json:
        print(json.dumps(status.to_json(), ensure_ascii=False))
        return 0
    print(f"{status.hall} {status.service_date}")
    for c in status.categories:
        avg = "-" if c.average_wait_minutes is None else f"{c.average_wait_minutes:g} min"
        print(f"  {c.prefix} {c.name:<6} waiting {c.waiting:>3} (priority {c.priority_waiting})"
              f"  called {c.called}  done {c.done}  skipped {c.skipped}  average wait {avg}"
              f"  last {c.last_called or '-'}")
    return 0


def _issue(args: argparse.Namespace) -> int:
    service = _service(args)
    try:
        ticket = service.issue_ticket(args.item, declared_group=args.group)
    except QueueRefusal as exc:
        raise _refused(exc) from None
    if args.json:
        print(json.dumps(ticket.to_json(), ensure_ascii=False))
    else:
        print(f"{ticket.number} {ticket.item_name}: {ticket.people_ahead} ahead, "
              f"about {ticket.estimated_wait_minutes} min")
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        result = _service(args).import_appointments(args.file)
    except AppointmentImportError as exc:
        raise CommandError(str(exc)) from None
    print(f"added {result.added}, updated {result.updated}, "
          f"already checked in {result.unchanged}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from kiosk.queue.bench import run_bench

    url = args.db or database_url(load_config(args.config))
    try:
        result = run_bench(url, args.kiosks, args.tickets, config_file=args.config,
                           item_id=args.item, keep=args.keep)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    for error in result.errors:
        print(f"error: {error}")
    print(f"kiosks={args.kiosks} p50_ms={result.p50_ms:.2f}")
    print(result.line())
    ok = (not result.errors and result.duplicates == 0 and result.gaps == 0
          and result.tickets == args.tickets)
    return 0 if ok else 1
