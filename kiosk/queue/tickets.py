"""What the queue hands back: an issued ticket, a called ticket, the hall's queue status.

Plain frozen data, safe to pass to screens, the printer and the hall server. Holds masked names
only; never a clear ID number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from kiosk.queue.groups import GROUP_LABELS, group_label

# The one label table (Chinese msgids), under the name the hall console imports.
PRIORITY_REASONS_ZH = GROUP_LABELS


@dataclass(frozen=True)
class IssuedTicket:
    """Everything a ticket shows. ``issued_at`` is local hall time."""

    uuid: str
    number: str
    service_date: date
    category: str
    category_name: str
    category_name_en: str
    item_id: str
    item_name: str
    item_name_en: str
    windows: tuple[str, ...]
    people_ahead: int
    estimated_wait_minutes: int
    issued_at: datetime
    priority_reason: str | None
    masked_name: str | None
    queue_url: str
    rating_url: str
    appointment_code: str | None = None

    @property
    def priority(self) -> bool:
        return self.priority_reason is not None

    @property
    def priority_label(self) -> str:
        """The green-channel label msgid (Chinese); render it with ``kiosk.i18n.tr``."""
        return group_label(self.priority_reason)

    def to_json(self) -> dict[str, object]:
        out = asdict(self)
        out["service_date"] = self.service_date.isoformat()
        out["issued_at"] = self.issued_at.isoformat()
        out["windows"] = list(self.windows)
        out["priority"] = self.priority
        return out


@dataclass(frozen=True)
class CalledTicket:
    """A ticket as a counter sees it after call / recall / skip / done."""

    number: str
    window_id: str
    status: str
    item_id: str
    item_name: str
    priority_reason: str | None
    masked_name: str | None
    recalls: int
    waited_minutes: float

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class CategoryStatus:
    code: str
    name: str
    name_en: str
    prefix: str
    waiting: int
    priority_waiting: int
    called: int
    done: int
    skipped: int
    average_wait_minutes: float | None  # issue → call, today; None before the first call
    last_called: str | None


@dataclass(frozen=True)
class QueueStatus:
    hall: str
    service_date: date
    categories: tuple[CategoryStatus, ...]

    def to_json(self) -> dict[str, object]:
        return {"hall": self.hall, "service_date": self.service_date.isoformat(),
                "categories": [asdict(c) for c in self.categories]}


@dataclass(frozen=True)
class WaitEstimate:
    """What a citizen would face if they took a number now (nothing is written to get it)."""

    people_ahead: int
    minutes: int
    priority_reason: str | None  # the green channel the ticket would get, if any
