"""Tap to ticket bytes: persist a ticket and render its ESC/POS bytes (printing excluded).

Measures ``QueueService.issue_ticket`` + ``ticket_receipt`` + ``render_escpos`` over 2,000 tickets
on SQLite (WAL, synchronous=FULL), interleaved with a bare durable sqlite3 INSERT (same pragmas,
one transaction each, same disk) as the baseline, and prints p50/p99 of both and their ratio.
Targets: p99 <= 10x the baseline's p99, and the quality bar's p99 <= 50 ms.
Usage: .venv/bin/python bench/bench_ticket.py [--tickets 2000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.printer.escpos_render import render_escpos  # noqa: E402
from drivers.printer.profile import PrinterProfile  # noqa: E402
from kiosk.catalogue import load_catalogue  # noqa: E402
from kiosk.clock import SystemClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.queue import QueueService  # noqa: E402
from kiosk.queue.bench import percentile  # noqa: E402
from kiosk.receipts import ticket_receipt  # noqa: E402
from kiosk.storage import make_engine, migrate  # noqa: E402


def baseline_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, number TEXT, issued_at TEXT)")
    return conn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--dir", help="where the databases go (default: a temp dir on /tmp's "
                                      "disk; pick the kiosk's data disk for field figures)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        config = load_config(None)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'kiosk.sqlite3'}")
        migrate(engine)
        service = QueueService(engine, load_catalogue().without_limits(), config,
                               SystemClock(config.hall.timezone), secret=b"b" * 32)
        profile = PrinterProfile.from_settings(config.devices.printer.settings)
        base = baseline_connection(Path(tmp) / "baseline.sqlite3")
        ours: list[float] = []
        bare: list[float] = []
        size = 0
        for n in range(args.tickets + 50):  # the first 50 of each warm caches and are dropped
            t0 = time.perf_counter()
            base.execute("BEGIN IMMEDIATE")
            base.execute("INSERT INTO t VALUES (?, ?, ?)",
                         (f"id-{n}", f"A{n:03d}", datetime.now().isoformat()))
            base.execute("COMMIT")
            t1 = time.perf_counter()
            ticket = service.issue_ticket("unemployment-registration")
            data = render_escpos(ticket_receipt(ticket, config.hall), profile)
            t2 = time.perf_counter()
            if n >= 50:
                bare.append(t1 - t0)
                ours.append(t2 - t1)
                size += len(data)
        base.close()
        engine.dispose()
    b50, b99 = percentile(bare, 50) * 1000, percentile(bare, 99) * 1000
    o50, o99 = percentile(ours, 50) * 1000, percentile(ours, 99) * 1000
    print(f"tap to ticket bytes, {len(ours)} tickets, SQLite WAL synchronous=FULL, "
          f"{size // len(ours)} bytes per ticket")
    print(f"  baseline durable sqlite3 INSERT: p50 {b50:.3f} ms  p99 {b99:.3f} ms")
    print(f"  issue + receipt + ESC/POS bytes: p50 {o50:.3f} ms  p99 {o99:.3f} ms")
    ratio = o99 / b99
    print(f"  ratio p50 x{o50 / b50:.2f}  p99 x{ratio:.2f}  (target p99 <= x10; "
          f"absolute target p99 <= 50 ms: {'met' if o99 <= 50 else 'NOT met'})")
    return 0 if ratio <= 10 and o99 <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
