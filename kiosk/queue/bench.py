"""``kiosk queue bench``: several kiosk processes issuing tickets at once against one database.

Each worker is a real process with its own engine and connections, like a kiosk in the hall. After
the run the numbers are counted in the database: any duplicate or gap is a failure. The run uses
its own hall code (BENCH…) and deletes its rows afterwards unless asked to keep them, so it never
disturbs a real hall's numbers; still, point it at a scratch database.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import queue
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, distinct, func, select

from kiosk.catalogue import load_catalogue
from kiosk.config import load_config
from kiosk.queue.service import QueueService
from kiosk.storage import make_engine, migrate
from kiosk.storage.models import DailySequence, OutboxMessage, Ticket

BENCH_SECRET = b"bench-secret-not-for-people-0000"


@dataclass(frozen=True)
class BenchResult:
    tickets: int
    duplicates: int
    gaps: int
    rate: float  # tickets per second, all kiosks together
    p50_ms: float
    p99_ms: float
    errors: tuple[str, ...]
    # p50 of each kiosk's first and last sixth of tickets: does a ticket cost more late in the day?
    p50_start_ms: float = 0.0
    p50_end_ms: float = 0.0

    def line(self) -> str:
        return (f"tickets={self.tickets} duplicates={self.duplicates} gaps={self.gaps} "
                f"rate={self.rate:.1f}/s p99_ms={self.p99_ms:.2f}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _worker(url: str, config_file: str | None, hall: str, kiosk_id: str, count: int,
            item_id: str, go: Any, out: Any) -> None:
    try:
        config = load_config(config_file)
        config = dataclasses.replace(config, hall=dataclasses.replace(config.hall, code=hall))
        engine = make_engine(url, pool_size=1)
        catalogue = load_catalogue(config.kiosk.catalogue or None).without_limits()
        service = QueueService(engine, catalogue, config, kiosk_id=kiosk_id, secret=BENCH_SECRET)
        with engine.connect():
            pass  # open the connection before the clock starts
    except Exception as exc:  # reported by the parent
        out.put(("done", kiosk_id, [], f"{kiosk_id}: setup failed: {exc!r}"))
        return
    out.put(("ready", kiosk_id, [], None))
    go.wait()
    latencies: list[float] = []
    error = None
    try:
        for _ in range(count):
            t0 = time.perf_counter()
            service.issue_ticket(item_id)
            latencies.append(time.perf_counter() - t0)
    except Exception as exc:
        error = f"{kiosk_id}: {exc!r}"
    engine.dispose()
    out.put(("done", kiosk_id, latencies, error))


def _collect(out: Any, procs: list[Any], kind: str, errors: list[str],
             latencies: list[float], by_kiosk: list[list[float]] | None = None) -> None:
    """Wait for one ``kind`` message per worker, noticing a worker that died without one."""
    waiting = {f"BK{k + 1:02d}" for k in range(len(procs))}
    while waiting:
        try:
            what, kiosk_id, lat, error = out.get(timeout=1.0)
        except queue.Empty:
            if not any(p.is_alive() for p in procs):
                errors.extend(f"{k}: worker process died" for k in sorted(waiting))
                return
            continue
        if what == "done" and kind == "ready":  # failed during set-up
            waiting.discard(kiosk_id)
        elif what != kind:
            continue
        waiting.discard(kiosk_id)
        latencies.extend(lat)
        if by_kiosk is not None and lat:
            by_kiosk.append(lat)
        if error:
            errors.append(error)


def count_numbers(url: str, hall: str) -> tuple[int, int, int]:
    """(tickets, duplicates, gaps) for ``hall``, per service date and prefix."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(
            func.count(), func.count(distinct(Ticket.seq)), func.max(Ticket.seq))
            .where(Ticket.hall == hall).group_by(Ticket.service_date, Ticket.prefix)).all()
    engine.dispose()
    tickets = sum(r[0] for r in rows)
    duplicates = sum(r[0] - r[1] for r in rows)
    gaps = sum(r[2] - r[1] for r in rows)  # numbers 1..max that nobody holds
    return tickets, duplicates, gaps


def remove_hall(url: str, hall: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(OutboxMessage).where(OutboxMessage.idempotency_key.like(f"{hall}:%")))
        conn.execute(delete(Ticket).where(Ticket.hall == hall))
        conn.execute(delete(DailySequence).where(DailySequence.hall == hall))
    engine.dispose()


def run_bench(url: str, kiosks: int, tickets: int, *, config_file: str | None = None,
              item_id: str = "unemployment-registration", keep: bool = False) -> BenchResult:
    if kiosks < 1 or tickets < kiosks:
        raise ValueError("need at least one kiosk and at least one ticket per kiosk")
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    hall = f"BENCH{uuid.uuid4().hex[:8].upper()}"
    ctx = mp.get_context("spawn")  # a fresh interpreter per kiosk: no inherited connections
    go = ctx.Event()
    out = ctx.Queue()
    shares = [tickets // kiosks + (k < tickets % kiosks) for k in range(kiosks)]
    procs = [ctx.Process(target=_worker, args=(url, config_file, hall, f"BK{k + 1:02d}", n,
                                               item_id, go, out), daemon=True)
             for k, n in enumerate(shares)]
    for p in procs:
        p.start()
    errors: list[str] = []
    latencies: list[float] = []
    by_kiosk: list[list[float]] = []
    _collect(out, procs, "ready", errors, latencies)
    start = time.perf_counter()
    if errors:  # a kiosk could not start: do not measure a partial hall
        for p in procs:
            p.terminate()
    else:
        go.set()
        _collect(out, procs, "done", errors, latencies, by_kiosk)
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join(timeout=30)
    issued, duplicates, gaps = count_numbers(url, hall)
    if not keep:
        remove_hall(url, hall)
    start_of_day = [t for lat in by_kiosk for t in lat[:max(1, len(lat) // 6)]]
    end_of_day = [t for lat in by_kiosk for t in lat[-max(1, len(lat) // 6):]]
    return BenchResult(issued, duplicates, gaps, len(latencies) / elapsed if elapsed else 0.0,
                       percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000,
                       tuple(errors), percentile(start_of_day, 50) * 1000,
                       percentile(end_of_day, 50) * 1000)
