"""What a citizen would face if they took a number now: people ahead and the estimated wait.

The confirm screen shows this before the ticket exists, with the same counting rules the issued
ticket will use (priority tickets only count priority tickets ahead). Read-only: never takes a
number, never writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.clock import local_now
from kiosk.queue.service import CardHolder, QueueService


@dataclass(frozen=True)
class WaitEstimate:
    people_ahead: int
    minutes: int
    priority_reason: str | None  # the green channel the ticket would get, if any


def estimate_wait(queue: QueueService, item_id: str, *, card: CardHolder | None = None,
                  declared_group: str | None = None, day: date | None = None) -> WaitEstimate:
    item = queue.item(item_id)
    category = queue.catalogue.category(item.category)
    day = day or local_now(queue.clock, queue.tz).date()
    reason = queue.priority_reason(card, declared_group, day)
    with queue.engine.connect() as conn:
        ahead = queue._people_ahead(conn, category.code, day, reason is not None)
        minutes = queue._estimate_wait(conn, category, day, ahead)
    return WaitEstimate(ahead, minutes, reason)
