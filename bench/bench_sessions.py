"""10,000 citizen sessions in a row through the real core: memory, file descriptors, records.

Each session is what the queue flow does on the kiosk, without the screens: a card is laid on
the simulated reader and announced by the device manager, the ticket is issued (committed to
SQLite with WAL + synchronous=FULL), its receipt is printed by the simulated printer (ESC/POS bytes
written to a file; the PNG preview is switched off here), the card is removed and the session is
ended and wiped. Figures: resident memory growth after a warm-up (the baseline is the memory
after the warm-up, measured in the same run), open file descriptors before and after, worker
threads before and after, and tickets in the database against sessions completed. Targets
(README): memory growth ≤ 20 MB, no leaked file descriptors, no lost record.

    .venv/bin/python bench/bench_sessions.py [SESSIONS]
"""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from drivers.idcard.samples import SAMPLE_CARDS
from drivers.idcard.simulated import SimulatedIdCardReader
from drivers.printer.simulated import SimulatedPrinter
from kiosk.catalogue import load_catalogue
from kiosk.config import load_config
from kiosk.devices import DeviceManager
from kiosk.events import CardInserted, CardRemoved, EventBus
from kiosk.queue import QueueService
from kiosk.receipts import ticket_receipt
from kiosk.session import SessionKeeper
from kiosk.storage import make_engine, migrate
from kiosk.storage.models import Ticket

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
WARM_UP = 500
TARGET_MB = 20.0


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp:
        return run(Path(tmp))


def run(tmp: Path) -> int:
    config = load_config(None)
    config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk,
                                                                   data_dir=str(tmp)))
    engine = make_engine(f"sqlite:///{tmp / 'kiosk.sqlite3'}")
    migrate(engine)
    queue = QueueService(engine, load_catalogue().without_limits(), config)
    reader, printer = SimulatedIdCardReader(), SimulatedPrinter(tmp / "printouts", previews=False)
    bus = EventBus()
    sessions = SessionKeeper(bus)
    arrived, removed = threading.Semaphore(0), threading.Semaphore(0)

    def on_card(event: CardInserted) -> None:
        sessions.current.card = event.card
        arrived.release()

    bus.subscribe(CardInserted, on_card)
    bus.subscribe(CardRemoved, lambda _e: removed.release())
    manager = DeviceManager({"idcard": reader, "printer": printer}, bus, poll_s=0.001,
                            health_s=1.0)
    manager.start()
    cards = [SAMPLE_CARDS[k] for k in ("resident", "elderly", "long_term", "hk_permit")]

    def one_session(i: int) -> None:
        reader.present(cards[i % len(cards)])
        if not arrived.acquire(timeout=5):
            raise RuntimeError(f"session {i}: the card was never announced")
        ticket = queue.issue_ticket("unemployment-registration", card=sessions.current.card)
        receipt = ticket_receipt(ticket, config.hall)
        manager.run_job("printer", lambda p: p.print_receipt(receipt)).result(timeout=10)
        reader.remove()
        if not removed.acquire(timeout=5):
            raise RuntimeError(f"session {i}: the card removal was never announced")
        sessions.end("completed")
        for path in printer.out_dir.iterdir():  # the paper left the kiosk
            path.unlink()

    # warm-up: caches, SQLAlchemy's compiled statements, the allocator's arenas
    for i in range(WARM_UP):
        one_session(i)
    gc.collect()
    base_rss, base_fds, base_threads = rss_mb(), open_fds(), threading.active_count()
    started = time.perf_counter()
    for i in range(WARM_UP, WARM_UP + SESSIONS):
        one_session(i)
        if (i - WARM_UP + 1) % 2500 == 0:
            gc.collect()
            print(f"  after {i - WARM_UP + 1:6d} sessions: rss {rss_mb():7.1f} MB, "
                  f"fds {open_fds()}", flush=True)
    elapsed = time.perf_counter() - started
    gc.collect()
    end_rss, end_fds, end_threads = rss_mb(), open_fds(), threading.active_count()
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(Ticket)).scalar_one()
    manager.stop()
    growth = end_rss - base_rss
    lost = WARM_UP + SESSIONS - stored
    print(f"{SESSIONS} sessions in {elapsed:.1f} s ({elapsed / SESSIONS * 1000:.2f} ms each: "
          f"card announced, ticket committed, receipt printed, card removed, session wiped)")
    print(f"memory: {base_rss:.1f} MB after {WARM_UP} warm-up sessions (baseline) -> "
          f"{end_rss:.1f} MB, growth {growth:+.1f} MB   target ≤ {TARGET_MB:.0f} MB: "
          f"{'met' if growth <= TARGET_MB else 'NOT met'}")
    print(f"file descriptors: {base_fds} -> {end_fds}   threads: {base_threads} -> {end_threads}"
          f"   leak: {'none' if end_fds <= base_fds and end_threads <= base_threads else 'YES'}")
    print(f"records: {stored} tickets stored for {WARM_UP + SESSIONS} sessions, lost {lost}")
    engine.dispose()
    ok = (growth <= TARGET_MB and end_fds <= base_fds and end_threads <= base_threads
          and lost == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
