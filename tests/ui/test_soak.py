"""The soak's short version (``bench/soak.py`` runs 1,000): journeys through the real UI with
random faults and a compressed 24-hour day; every ticket shown is stored once, nothing leaks."""

from __future__ import annotations

import pytest

from tests.ui.conftest import Kiosk

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def test_short_soak_loses_nothing_and_leaks_nothing(kiosk: Kiosk) -> None:
    """Given 10 journeys with printer faults, a full disk, walk-aways and language switches,
    and then 24 hours of the hall's clock in two-hour steps, then every number shown on a
    ticket screen is stored exactly once, 取号 was refused while out of service and after
    hours, and file descriptors and threads did not grow."""
    from bench.soak import run, verdict

    saved = kiosk.ctx.clock.now()
    try:
        report = run(kiosk, journeys=10, seed=7, day_step_min=120)
    finally:
        kiosk.ctx.clock.set(saved)  # type: ignore[attr-defined]
    assert report.tickets_shown and not report.lost and not report.doubled
    assert report.day_tickets > 0 and report.after_hours_steps > 0
    first, last = report.samples[0], report.samples[-1]
    assert last.fds <= first.fds and last.threads <= first.threads, verdict(report)
