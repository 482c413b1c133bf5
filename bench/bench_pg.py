"""Multi-kiosk throughput on PostgreSQL: K kiosk processes issue N tickets in all at one server.

Starts a throwaway PostgreSQL (tests/pg_server.py, fsync on by default so commits are real; pass
--no-fsync for the test-suite setting, removed afterwards) unless --db names a server, then runs
``kiosk queue bench``: 1 kiosk (the baseline) and K kiosks alternately for --rounds rounds (the
medians are compared, so a burst of load from other processes on the machine hits both alike),
then K kiosks over a whole day of --day tickets (nobody called, so the queue only grows).
Statistics are gathered (ANALYZE) after the first run, as autovacuum does on a real hall's server.
Targets (issue 7): no duplicate or gap; K kiosks issue at least one kiosk's tickets per second
with p99 within 4× one kiosk's; p50 flat over the day (last sixth ≤ 1.5× the first sixth).
Exits 1 when one is missed.
Usage: .venv/bin/python bench/bench_pg.py [--kiosks 4] [--tickets 2000] [--day 6000] [--rounds 3]
       [--db URL] [--no-fsync]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.queue.bench import BenchResult, run_bench  # noqa: E402
from kiosk.storage import make_engine  # noqa: E402
from tests.pg_server import PgServer  # noqa: E402

RATE_RATIO = 1.0  # K kiosks together at least as fast as one
P99_RATIO = 4.0
DAY_P50_RATIO = 1.5


def analyze(url: str) -> None:
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def median_of(runs: list[BenchResult]) -> BenchResult:
    """The runs' medians (rate, p50, p99), their counts and errors summed."""
    return dataclasses.replace(
        runs[0], tickets=sum(r.tickets for r in runs) // len(runs),
        duplicates=sum(r.duplicates for r in runs), gaps=sum(r.gaps for r in runs),
        rate=statistics.median(r.rate for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        errors=tuple(e for r in runs for e in r.errors))


def line(label: str, r: BenchResult) -> str:
    return (f"  {label}: {r.tickets} tickets, {r.rate:.0f}/s, p50 {r.p50_ms:.2f} ms, "
            f"p99 {r.p99_ms:.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--day", type=int, default=6000, help="tickets in the day run (0: skip)")
    parser.add_argument("--rounds", type=int, default=3)
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
        singles, manys = [], []
        for n in range(args.rounds):
            singles.append(run_bench(url, 1, max(200, args.tickets // 4)))
            if n == 0:
                analyze(url)
            manys.append(run_bench(url, args.kiosks, args.tickets))
        day = run_bench(url, args.kiosks, args.day) if args.day else None
    finally:
        if server:
            server.stop()  # removes its data directory too
    where = "throwaway server" if server else "given server"
    single, many = median_of(singles), median_of(manys)
    print(f"PostgreSQL ({where}, fsync {'off' if args.no_fsync else 'on'}), medians of "
          f"{args.rounds} alternating rounds")
    for n, (one, k) in enumerate(zip(singles, manys, strict=True)):
        print(f"  round {n + 1}: 1 kiosk {one.rate:.0f}/s p99 {one.p99_ms:.1f} ms; "
              f"{args.kiosks} kiosks {k.rate:.0f}/s p99 {k.p99_ms:.1f} ms")
    print(line("1 kiosk ", single) + " (baseline)")
    rate_x, p99_x = many.rate / single.rate, many.p99_ms / single.p99_ms
    print(line(f"{args.kiosks} kiosks", many) + f"  rate x{rate_x:.2f} of one kiosk "
          f"(target ≥ x{RATE_RATIO:.1f}), p99 x{p99_x:.2f} (target ≤ x{P99_RATIO:.0f})")
    ok = rate_x >= RATE_RATIO and p99_x <= P99_RATIO
    runs = [many, single]
    if day is not None:
        day_x = day.p50_end_ms / day.p50_start_ms if day.p50_start_ms else float("inf")
        print(line(f"{args.kiosks} kiosks, a day", day) + f"  p50 first sixth "
              f"{day.p50_start_ms:.2f} ms, last sixth {day.p50_end_ms:.2f} ms: x{day_x:.2f} "
              f"(target ≤ x{DAY_P50_RATIO:.1f})")
        ok = ok and day_x <= DAY_P50_RATIO
        runs.append(day)
    for run in runs:
        for error in run.errors:
            print(f"  error: {error}")
        ok = ok and not run.errors and run.duplicates == 0 and run.gaps == 0
    ok = ok and all(run.tickets == args.tickets for run in manys)
    print(many.line())
    print(f"targets: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
