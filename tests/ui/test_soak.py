"""The soak's short version (``bench/soak.py`` runs 1,000): journeys through the real UI with
random faults — 取号, guide look-ups with a slip, ratings of the ticket just taken — and a
compressed 24-hour day; every ticket shown and every rating given is stored once, nothing
leaks."""

from __future__ import annotations

import pytest

from bench.soak import Sample, SoakReport, verdict
from tests.ui.conftest import Kiosk

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def test_short_soak_loses_nothing_and_leaks_nothing(kiosk: Kiosk) -> None:
    """Given 10 journeys (5 warm-up) with a printer fault, a full disk, a walk-away, a guide
    look-up and a rating, and then 24 hours of the hall's clock in three-hour steps, then every
    number shown on a ticket screen is stored exactly once, the rating is stored with its
    level and sent once, 取号 was refused while out of service and after hours, and file
    descriptors and threads did not grow."""
    from bench.soak import run

    saved = kiosk.ctx.clock.now()
    try:
        report = run(kiosk, journeys=5, seed=1, day_step_min=180, warm_day=False)
    finally:
        kiosk.ctx.clock.set(saved)  # type: ignore[attr-defined]
    # seed 1 draws each kind of journey and fault once at least: if a change to the soak's
    # draws loses one, pick a seed that has them all again
    assert min(report.guide_lookups, len(report.rated), report.refused_out_of_service,
               report.abandoned) >= 1, report
    assert report.print_failed or report.guide_lookups > report.slips_printed, report
    assert report.tickets_shown and not report.lost and not report.doubled
    assert report.day_tickets > 0 and report.after_hours_steps > 0
    first, last = report.samples[0], report.samples[-1]
    assert last.fds <= first.fds and last.threads <= first.threads, verdict(report)


def _samples(rss_by_journey: dict[int, float]) -> SoakReport:
    report = SoakReport()
    report.samples = [Sample(500.0, 37, 7, 646)]
    for n, rss in rss_by_journey.items():
        report.by_journey[n] = Sample(rss, 37, 7, 646)
        report.samples.append(report.by_journey[n])
    return report


def test_the_verdict_tells_a_leak_from_a_cache_that_filled_up() -> None:
    """Given RSS that steps up early and then stays level (a cache filling, glibc keeping a few
    MB), then the soak's verdict is met; given the same total growth still climbing over the
    second half of the journeys (a leak), then it is not; nor is growth over the budget."""
    plateau = _samples({250: 512.0, 500: 514.0, 750: 518.0, 1000: 516.0})
    leak = _samples({250: 503.0, 500: 506.0, 750: 512.0, 1000: 518.0})
    over = _samples({250: 512.0, 500: 515.0, 750: 518.0, 1000: 521.0})
    assert verdict(plateau) == []
    assert [p for p in verdict(leak) if "still grew 12.0 MB from 500" in p]
    assert [p for p in verdict(over) if "memory grew 21.0 MB" in p]
