"""Multi-kiosk throughput on PostgreSQL: K kiosk processes issue N tickets in all at one server.

Starts a throwaway PostgreSQL (tests/pg_server.py, fsync on by default so commits are real; pass
--no-fsync for the test-suite setting) unless --db names a server, runs ``kiosk queue bench`` and
prints the figures with the single-kiosk run as the baseline for the ratio.
Usage: .venv/bin/python bench/bench_pg.py [--kiosks 4] [--tickets 2000] [--db URL] [--no-fsync]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.queue.bench import run_bench  # noqa: E402
from tests.pg_server import PgServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--db", help="an existing PostgreSQL URL (default: start a throwaway one)")
    parser.add_argument("--no-fsync", action="store_true")
    args = parser.parse_args()
    server = None
    url = args.db
    if url is None:
        server = PgServer(fsync=not args.no_fsync)
        server.start()
        url = server.create_database()
    try:
        single = run_bench(url, 1, max(200, args.tickets // 4))
        many = run_bench(url, args.kiosks, args.tickets)
    finally:
        if server:
            server.stop()
    where = "throwaway server" if server else "given server"
    print(f"PostgreSQL ({where}, fsync {'off' if args.no_fsync else 'on'})")
    print(f"  1 kiosk : {single.tickets} tickets, {single.rate:.0f}/s, "
          f"p50 {single.p50_ms:.2f} ms, p99 {single.p99_ms:.2f} ms (baseline)")
    print(f"  {args.kiosks} kiosks: {many.tickets} tickets, {many.rate:.0f}/s "
          f"(x{many.rate / single.rate:.2f} of one kiosk), p50 {many.p50_ms:.2f} ms, "
          f"p99 {many.p99_ms:.2f} ms (x{many.p99_ms / single.p99_ms:.2f})")
    for error in many.errors + single.errors:
        print(f"  error: {error}")
    print(many.line())
    ok = many.duplicates == 0 and many.gaps == 0 and many.tickets == args.tickets
    return 0 if ok and not many.errors else 1


if __name__ == "__main__":
    sys.exit(main())
