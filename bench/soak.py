"""Soak: many complete journeys through the real UI, with faults at random, then a day.

Drives the real app under Xvfb by touch (the UI tests' driver, ``tests/ui/conftest.Kiosk``) on
simulated devices. Most journeys take a number: home → 取号 → category → item → skip the card →
confirm → the ticket screen → 完成, and one ticket in five is then rated by the same citizen
(好差评: scan the ticket, a face, a reason when bad, 提交, 完成); one journey in seven looks up
the service guide instead and prints its checklist slip (``bench/soak_journeys.py``). At
random, before a journey: the printer runs out of paper or is unplugged (the ticket must still
be committed and shown, the slip must say it failed), the disk "fills" (the health watcher puts
the kiosk out of service: the journey must be refused at home, nothing half-done), the citizen
walks away at the confirm step (idle timeout: no ticket), or the language is switched. Every
ticket seen on a ticket screen (day and number) must be in the database once, nothing else may
be; every rating must be stored with its level and sent to the outbox exactly once.

Compressed 24 hours: the hall's ``ManualClock`` moves in 20-minute steps over a whole day and
night; at each step home is refreshed and, when the queue is open, one journey is made (after
hours the 取号 tile must be disabled). One such day is part of the warm-up, one follows the
journeys.

Memory: the first pass through every screen, state and hour costs memory once (Kivy's theme
atlas, label textures, the GL driver's buffers, the allocator's arenas): measured before the
baseline and reported, not counted. From the baseline (after the warm-up) the soak reports
RSS, open file descriptors, threads and live Kivy textures every ``--every`` journeys and after
the day, and exits 1 when RSS grows more than 20 MB to the end, or more than 10 MB over the
second half of the journeys (a leak keeps growing there; a cache that fills up does not), a
descriptor or thread leaks, a journey goes wrong (one line: which journey, at what hall time;
the screen then in tests/artifacts/soak-failure.png), or anything is lost or doubled.
``--diagnose`` breaks memory down at each sample (``bench/soak_probe.py``). Temp folders and the
virtual display are removed at the end, on failure and on SIGTERM/SIGINT too.

``.venv/bin/python bench/soak.py [--journeys 1000] [--seed 1] [--every 250] [--days 1]
[--diagnose [--trace]]``; ``tests/ui/test_soak.py`` runs a short version.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import signal
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.ui's driver

SOCIAL = "queue_category_social"
ITEM = "unemployment-registration"
MEMORY_BUDGET_MB = 20.0  # after the warm-up, to the end
# over the second half of the journeys: a leak keeps growing there (the ScrollView binding leak
# was 4-5 MB per 100 journeys: 20-25 MB over 500), a filled cache does not; glibc alone moves
# RSS in steps of up to 5 MB (memory it keeps free after a larger layout: seen +5.0 MB in one
# 125-journey sample with 0.5 MB less in use), so the line is above that
LATE_GROWTH_MB = 10.0
LEAK_CHECK_FROM = 200  # journeys: fewer say nothing about a slope
GUIDE_SHARE = 0.15  # of the journeys not refused: a guide look-up instead of 取号
RATING_SHARE = 0.2  # of the tickets taken: rated by the same citizen right after


@dataclass
class Sample:
    rss_mb: float
    fds: int
    threads: int
    textures: int
    thread_names: tuple[str, ...] = ()


@dataclass
class SoakReport:
    journeys: int = 0
    tickets_shown: list[str] = field(default_factory=list)
    refused_out_of_service: int = 0
    abandoned: int = 0
    print_failed: int = 0
    guide_lookups: int = 0
    slips_printed: int = 0
    rated: dict[str, int] = field(default_factory=dict)  # ticket uuid -> level given
    journeys_s: float = 0.0  # after the warm-up, samples excluded
    days_s: float = 0.0
    day_tickets: int = 0
    after_hours_steps: int = 0
    samples: list[Sample] = field(default_factory=list)  # [0]: the baseline, after warm-up
    sample_labels: list[str] = field(default_factory=list)
    fill: list[tuple[str, Sample]] = field(default_factory=list)  # before the baseline
    by_journey: dict[int, Sample] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)


def sample() -> Sample:
    from kivy.graphics.texture import Texture

    gc.collect()
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    textures = sum(1 for o in gc.get_objects() if isinstance(o, Texture))
    # the flow and device-job pools grow lazily up to their bounds (2 to 4 threads) and a
    # health probe lives for a moment: none of them is a leak, so none is counted
    threads = [t for t in threading.enumerate()
               if not t.name.startswith(("flow_", "device-job_", "health-db-probe"))]
    return Sample(pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20),
                  len(os.listdir("/proc/self/fd")), len(threads), textures,
                  tuple(sorted(t.name for t in threads)))


def _to_confirm(k: Any) -> bool:
    """Category, item, skip the card; False when the item is closed at this hour (the notice
    that says so is dismissed and the citizen goes home)."""
    k.app.go("queue")
    # the tiles show who is waiting once counted off the UI thread, and grow to say so: tap
    # the layout a citizen sees after that, not the one before it
    k.wait_until(lambda: k.ctx.flows.queue.state.waiting is not None, what="waiting counts")
    k.pump()
    k.tap(SOCIAL)
    k.tap(f"queue_item_{ITEM}")
    if k.app.current != "queue_identify":
        from screens.queue_common import close_notices

        close_notices()
        k.app.go_home()
        k.pump()
        return False
    k.tap("queue_identify_next")
    return True


def _take(k: Any) -> str:
    confirm = k.app.sm.get_screen("queue_confirm")
    k.wait_until(lambda: not k.ctx.flows.queue.state.estimating, what="the estimate")
    k.pump()
    k.tap("queue_confirm_take")
    flow = k.ctx.flows.queue
    # the commit runs off the UI thread and the view hears of it a frame later: wait for the
    # outcome itself (the ticket screen, or a notice saying why not), not for "not issuing"
    k.wait_until(lambda: k.app.current == "queue_ticket" or (
        flow.state.notice is not None and not flow.state.issuing), timeout=30,
        what="the ticket commit")
    k.pump()
    assert k.app.current == "queue_ticket", \
        f"on {k.app.current} after confirming: {flow.state.notice} (issuing {confirm.issuing})"
    screen = k.app.sm.get_screen("queue_ticket")
    k.wait_until(lambda: screen.print_state in ("printed", "failed"), what="printing")
    ticket = flow.state.ticket
    return f"{ticket.service_date}:{k.get('queue_ticket_number').text}"  # numbers restart daily


def journey(k: Any, rng: random.Random, report: SoakReport) -> None:
    """One citizen, with at most one fault injected at random."""
    from bench.soak_journeys import guide_lookup, rate_ticket
    from drivers.faults import Fault
    from kiosk.devices import MAX_BACKOFF_S
    from kiosk.health_watch import DiskUsage

    report.journeys += 1
    roll = rng.random()
    printer = k.sim("printer")
    if roll < 0.05:  # the disk fills: out of service, the journey is refused at home
        health = k.ctx.health
        real = health.disk_usage
        health.disk_usage = lambda _p: DiskUsage(1 << 30, 1 << 30, 0)
        try:
            health.check_once()

            def queue_tile_off() -> bool:
                tile = k.find("tile_queue")
                return tile is None or tile.disabled

            k.wait_until(queue_tile_off, what="取号 disabled while out of service")
            assert not k.app.hall_status_ok(k.app.health_version)
            report.refused_out_of_service += 1
        finally:
            health.disk_usage = real
            health.check_once()
            k.wait_until(lambda: not queue_tile_off(), what="取号 back in service")
        return
    fault = Fault.PAPER_OUT if roll < 0.12 else Fault.UNPLUGGED if roll < 0.17 else None
    if fault is not None:
        printer.inject(fault)
    taken: tuple[str, str] | None = None
    try:
        if rng.random() < 0.2:
            k.app.toggle_language()
        if rng.random() < GUIDE_SHARE:
            if guide_lookup(k, paper_out=fault is not None):
                report.slips_printed += 1
            report.guide_lookups += 1
            return
        assert _to_confirm(k), "the item is closed during the hall's day"
        if rng.random() < 0.05:  # walks away: the idle timeout ends the session, no ticket
            k.advance(k.ctx.config.timeouts.idle_seconds + 1)
            assert k.app.current == "home", f"still on {k.app.current} after the timeout"
            report.abandoned += 1
            return
        number = _take(k)
        if k.app.sm.get_screen("queue_ticket").print_state == "failed":
            report.print_failed += 1
        report.tickets_shown.append(number)
        ticket = k.ctx.flows.queue.state.ticket
        taken = (ticket.uuid, ticket.queue_url)
        k.tap("queue_ticket_done")
    except AssertionError:
        k.screenshot("soak-failure")  # what the citizen saw when it went wrong
        raise
    finally:
        if fault is not None:
            printer.clear(fault)
            # the watchdog reopens an unplugged printer with backoff (up to MAX_BACKOFF_S): a
            # slow journey on a loaded machine leaves it that long between tries
            k.wait_until(lambda: k.ctx.devices.is_usable("printer"),
                         timeout=2 * MAX_BACKOFF_S + 5, what="printer back")
        k.app.lang = k.ctx.config.kiosk.language
        k.app.go_home()
        k.pump()
    if taken is not None and rng.random() < RATING_SHARE:  # the same citizen rates it
        level = rng.randint(1, 5)
        rate_ticket(k, taken[1], level, contact=rng.random() < 0.5)
        report.rated[taken[0]] = level


def compressed_day(k: Any, start: datetime, report: SoakReport, step_min: int = 20) -> None:
    """24 hours in ``step_min`` steps on the hall's clock: a journey whenever 取号 is open."""
    clock = k.ctx.clock
    at = start
    while at < start + timedelta(hours=24):
        clock.set(at)
        k.app.go_home()
        k.app.health_version += 1  # home asks the mode again now, not in 5 s
        k.pump(2)
        tile = k.find("tile_queue")
        if tile is not None and not tile.disabled and _to_confirm(k):
            report.tickets_shown.append(_take(k))
            report.day_tickets += 1
            k.tap("queue_ticket_done")
        else:
            report.after_hours_steps += 1
        at += timedelta(minutes=step_min)


def check_nothing_lost(k: Any, report: SoakReport, since: datetime) -> None:
    """Every ticket shown (day and number) is stored once and nothing else since ``since``;
    every rating given is stored with its level, released to the outbox once its session
    ended, and the outbox holds exactly one message for it."""
    from collections import Counter

    from sqlalchemy import select

    from kiosk.storage.models import OutboxMessage, RatingRecord, Ticket

    with k.ctx.engine.connect() as conn:
        rows = conn.execute(select(Ticket.service_date, Ticket.number).where(
            Ticket.service_date >= since.date())).all()
    stored = Counter(f"{d}:{n}" for d, n in rows)
    shown = Counter(report.tickets_shown)
    report.lost = sorted(n for n, c in shown.items() if stored[n] < c)
    report.doubled = sorted(n for n, c in stored.items() if c > shown[n])
    if not report.rated:
        return

    def ratings() -> list[Any]:
        with k.ctx.engine.connect() as conn:
            return list(conn.execute(select(
                RatingRecord.target_id, RatingRecord.level, RatingRecord.rating_id,
                RatingRecord.released_at).where(RatingRecord.target_kind == "ticket",
                                                RatingRecord.target_id.in_(report.rated))))

    # the last rating's session ended a moment ago: its release runs off the UI thread
    with contextlib.suppress(AssertionError):  # not released in time: counted below as lost
        k.wait_until(lambda: all(r.released_at is not None for r in ratings()),
                     timeout=15, what="the ratings released")
    held = {r.target_id: r for r in ratings()}
    with k.ctx.engine.connect() as conn:
        keys = Counter(key.rsplit(":", 1)[1] for key in conn.execute(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.like("%:rating:%"))).scalars())
    for ticket, level in report.rated.items():
        row = held.get(ticket)
        if row is None or row.level != level:
            report.lost.append(f"rating of {ticket[:8]}")
        elif keys[row.rating_id] != 1:
            (report.lost if keys[row.rating_id] == 0 else report.doubled).append(
                f"rating message of {ticket[:8]}")


def run(k: Any, journeys: int, seed: int, *, day_step_min: int = 20, days: int = 1,
        every: int = 250, warm_day: bool = True, progress: bool = False,
        probe: Any = None) -> SoakReport:
    """Warm-up (1/10 of the journeys, at least 5, at most 50, then one compressed day, so that
    every screen and state, after hours included, has been drawn once), the journeys, then
    ``days`` compressed days. The baseline is the sample after the warm-up; what the warm-up
    itself added (Kivy's theme atlas, the GL driver's first drawing of each kind, the
    allocator's arenas) is sampled too and reported, never counted as growth. A sample every
    ``every`` journeys and after each day (and a ``probe`` checkpoint at each, when
    diagnosing). ``warm_day=False`` leaves the day out of the warm-up (a short run that
    measures no memory)."""
    from kiosk.clock import ManualClock

    rng = random.Random(seed)
    report = SoakReport()
    clock = k.ctx.clock
    assert isinstance(clock, ManualClock)
    base = datetime(2031, 6, 2, 9, 30, tzinfo=clock.now().tzinfo)  # a Monday, after any test's
    clock.set(base)

    def checkpoint(label: str, baseline: bool = True) -> None:
        now = sample()
        if baseline:
            report.samples.append(now)
            report.sample_labels.append(label)
        else:
            report.fill.append((label, now))
        if progress:
            first = (report.samples or [report.fill[0][1]])[0]
            print(f"soak: {label}: RSS {now.rss_mb:.1f} MB ({now.rss_mb - first.rss_mb:+.1f}), "
                  f"fds {now.fds}, threads {now.threads}, textures {now.textures}",
                  file=sys.stderr, flush=True)
        if probe is not None:
            point = probe.checkpoint(label)
            if len(probe.checkpoints) > 1:
                probe.report(probe.checkpoints[-2], point)

    def one() -> None:
        try:
            journey(k, rng, report)
        except AssertionError as exc:  # which journey, at what hall time: to replay it
            raise AssertionError(f"journey {report.journeys} (seed {seed}, hall time "
                                 f"{clock.now():%Y-%m-%d %H:%M}): {exc}") from exc

    def a_day() -> None:
        started = monotonic()
        day_start = datetime.combine(clock.now().date() + timedelta(days=7), time(0, 0),
                                     tzinfo=clock.now().tzinfo)
        compressed_day(k, day_start, report, day_step_min)
        report.days_s += monotonic() - started

    checkpoint("start", baseline=False)
    for _ in range(min(50, max(5, journeys // 10))):
        one()
    if warm_day:
        checkpoint("warm-up journeys", baseline=False)
        a_day()
    checkpoint("warm-up")
    started = monotonic()
    for n in range(journeys):
        if n % 100 == 0:  # a fresh weekday every 100 (an item takes 120 tickets a day)
            day = clock.now() + timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
            clock.set(datetime.combine(day.date(), base.time(), tzinfo=base.tzinfo))
        one()
        if (n + 1) % every == 0 or n + 1 == journeys:
            report.journeys_s += monotonic() - started
            checkpoint(f"{n + 1} journeys")
            report.by_journey[n + 1] = report.samples[-1]
            started = monotonic()
    for d in range(days):
        a_day()
        checkpoint("24 h" if days == 1 else f"24 h #{d + 1}")
    check_nothing_lost(k, report, base)
    return report


def verdict(report: SoakReport) -> list[str]:
    first, last = report.samples[0], report.samples[-1]
    problems = []
    if last.rss_mb - first.rss_mb > MEMORY_BUDGET_MB:
        problems.append(f"memory grew {last.rss_mb - first.rss_mb:.1f} MB")
    # a leak grows with every journey; a cache filling up levels off: over the second half of
    # a long run the former still grows, the latter does not
    counts = sorted(report.by_journey)
    if counts and counts[-1] >= LEAK_CHECK_FROM:
        mid = next(n for n in counts if n >= counts[-1] / 2)
        late = report.by_journey[counts[-1]].rss_mb - report.by_journey[mid].rss_mb
        if late > LATE_GROWTH_MB:
            problems.append(f"memory still grew {late:.1f} MB from {mid} to {counts[-1]} "
                            "journeys")
    if last.fds > first.fds:
        problems.append(f"file descriptors {first.fds} -> {last.fds}")
    if last.threads > first.threads:
        new = sorted(set(last.thread_names) - set(first.thread_names))
        problems.append(f"threads {first.threads} -> {last.threads} (new: {new})")
    if report.lost or report.doubled:
        problems.append(f"lost {report.lost[:5]}, doubled {report.doubled[:5]}")
    return problems


def start_app(root: Path) -> tuple[Any, Any]:
    """The app as the UI tests start it (simulated devices, ManualClock, fake monotonic)."""
    from pyvirtualdisplay import Display

    display = Display(size=(1080, 1920), color_depth=24, manage_global_env=False)
    display.start()
    os.environ.update(DISPLAY=display.new_display_var, KIVY_NO_ARGS="1",
                      KIVY_HOME=str(root / "kivy"), KIVY_LOG_MODE="PYTHON")
    site = root / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{root / "var"}"\n', encoding="utf-8")
    from screens.cli import configure_window

    configure_window(1080, 1920)
    from kivy.base import runTouchApp

    from kiosk.clock import ManualClock
    from kiosk.config import load_config
    from kiosk.context import build_context
    from screens.app import KioskApp, ui_dispatch
    from tests.ui.conftest import FakeMonotonic, Kiosk

    ctx = build_context(load_config(site), simulate=True, dispatch=ui_dispatch,
                        clock=ManualClock(datetime(2031, 6, 2, 9, 30,
                                                   tzinfo=ZoneInfo("Asia/Shanghai"))))
    clock = FakeMonotonic()
    app = KioskApp(ctx, now=clock)
    app._run_prepare()
    runTouchApp(embedded=True)
    k = Kiosk(app, clock)
    k.wait_until(lambda: all(ctx.devices.is_usable(kind) for kind in ctx.devices.kinds()),
                 what="devices")
    return k, display


def main() -> int:
    import shutil
    import tempfile
    import time as _time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=1, help="compressed 24 h runs at the end")
    parser.add_argument("--every", type=int, default=250, help="journeys between samples")
    parser.add_argument("--diagnose", action="store_true",
                        help="heap, objects, Kivy caches, fonts, textures at each sample")
    parser.add_argument("--trace", action="store_true",
                        help="with --diagnose: tracemalloc too (the lines that grew); "
                             "several times slower, for short runs")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))

    def stop(signum: int, _frame: object) -> None:  # SDL would make a kill a window close
        raise SystemExit(128 + signum)

    display = None
    try:
        k, display = start_app(root)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        started = _time.monotonic()
        probe = None
        if args.diagnose:
            from bench.soak_probe import Probe

            probe = Probe(trace=args.trace)
        report = run(k, args.journeys, args.seed, days=args.days, every=args.every,
                     progress=True, probe=probe)
    except AssertionError as exc:  # a journey went wrong: which one and how, in one line
        print(f"NOT MET: {exc} (the screen then: tests/artifacts/soak-failure.png)")
        return 1
    finally:
        if display is not None:
            k.app.stop()
            display.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"journeys {report.journeys} ({args.journeys} after the "
          f"warm-up, {report.journeys_s / args.journeys:.2f} s each), 24 h days {args.days} "
          f"({report.days_s:.0f} s), {_time.monotonic() - started:.0f} s in all: tickets "
          f"{len(report.tickets_shown)} (print failed {report.print_failed}), guide look-ups "
          f"{report.guide_lookups} (slips printed {report.slips_printed}), ratings "
          f"{len(report.rated)}, out of service {report.refused_out_of_service}, walked away "
          f"{report.abandoned}; 24 h: {report.day_tickets} tickets, {report.after_hours_steps} "
          "closed steps")
    first = report.samples[0]
    for label, at in report.fill:
        print(f"{label:<18} RSS {at.rss_mb:6.1f} MB, textures {at.textures} (before the "
              "baseline: the first of every screen, state and hour)")
    print(f"{'sample':<14} {'RSS MB':>8} {'growth':>7} {'fds':>4} {'threads':>7} {'textures':>8}")
    for label, at in zip(report.sample_labels, report.samples, strict=True):
        print(f"{label:<14} {at.rss_mb:8.1f} {at.rss_mb - first.rss_mb:+7.1f} {at.fds:4d} "
              f"{at.threads:7d} {at.textures:8d}")
    print(f"lost {len(report.lost)} {report.lost[:5]}, doubled {len(report.doubled)} "
          f"{report.doubled[:5]}")
    problems = verdict(report)
    print("met" if not problems else "NOT MET: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
