"""A case as the citizen sees it at the kiosk, typed: parsed once from the hall server's kiosk
view (``kiosk/hall/api_reads.py`` ``kiosk_view``), from the cache, or from a local case.

The server's view carries the masked name only (no ID number, no receipt token, no staff
notes); nothing here adds more. ``CaseView.from_json`` refuses a malformed answer with one
``ValueError`` line naming the field, never a ``KeyError`` from deep inside a screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.i18n import N_

STATUSES = ("received", "under_review", "more_needed", "approved", "rejected",
            "ready_for_pickup", "collected")
# The hall's words for each status (msgids; the hall server's STATUS_ZH says the same).
STATUS_LABELS: dict[str, str] = {
    "received": N_("已受理"), "under_review": N_("审核中"), "more_needed": N_("需补充材料"),
    "approved": N_("已办结（准予）"), "rejected": N_("已办结（不予）"),
    "ready_for_pickup": N_("待领取"), "collected": N_("已领取"),
    "submitted": N_("已提交，等待上传"),  # a local case the hall has not received yet
}
FINISHED = frozenset({"rejected", "collected"})
DELIVERIES = ("window", "locker", "post")


@dataclass(frozen=True)
class OwedMaterial:
    """A material still owed under 容缺受理, with its deadline (一次性告知)."""

    name: str
    due_date: date | None
    material_id: str = ""  # the catalogue's id: how the kiosk finds the English name


@dataclass(frozen=True)
class StatusStep:
    at: datetime
    status: str


@dataclass(frozen=True)
class LockerSlot:
    """The result waits in a locker compartment; the pickup code went to the applicant by SMS."""

    compartment: int
    expires_at: datetime


@dataclass(frozen=True)
class CaseView:
    case_id: str
    case_number: str  # "" for a local case the hall has not numbered yet
    status: str
    item_ids: tuple[str, ...]
    masked_name: str
    delivery: str
    submitted_at: datetime
    promised_date: date | None
    owed_count: int
    owed: tuple[OwedMaterial, ...] = ()
    timeline: tuple[StatusStep, ...] = ()
    locker: LockerSlot | None = None
    detailed: bool = False  # owed list and timeline known (a single-case answer)
    local_only: bool = False  # committed at this kiosk, not yet at the hall
    local_ref: str = ""  # the kiosk's own reference for a local case

    @property
    def in_locker(self) -> bool:
        return self.status == "ready_for_pickup" and self.locker is not None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseView:
        """Parse the hall's kiosk view; ``ValueError`` names the first bad field."""
        if not isinstance(data, Mapping):
            raise ValueError(f"case view: expected an object, found {type(data).__name__}")
        status = _text(data, "status")
        if status not in STATUSES:
            raise ValueError(f"case view: status: found {status!r}, expected one of "
                             f"{', '.join(STATUSES)}")
        delivery = _text(data, "delivery")
        if delivery not in DELIVERIES:
            raise ValueError(f"case view: delivery: found {delivery!r}, expected one of "
                             f"{', '.join(DELIVERIES)}")
        items = data.get("item_ids")
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError("case view: item_ids: expected a list of item ids")
        detailed = "timeline" in data
        owed = tuple(OwedMaterial(_text(m, "name"), _day(m, "due_date"),
                                  str(m.get("material_id") or ""))
                     for m in _list(data, "owed")) if detailed else ()
        timeline = tuple(StatusStep(_instant(t, "at"), _text(t, "status"))
                         for t in _list(data, "timeline"))
        locker_data = data.get("locker")
        locker = None
        if isinstance(locker_data, Mapping):
            compartment = locker_data.get("compartment")
            if not isinstance(compartment, int) or isinstance(compartment, bool):
                raise ValueError("case view: locker.compartment: expected an integer")
            locker = LockerSlot(compartment, _instant(locker_data, "expires_at"))
        owed_count = data.get("owed_count", len(owed))
        if not isinstance(owed_count, int) or isinstance(owed_count, bool) or owed_count < 0:
            raise ValueError(f"case view: owed_count: found {owed_count!r}, expected a count")
        return cls(case_id=_text(data, "case_id"), case_number=_text(data, "case_number"),
                   status=status, item_ids=tuple(items),
                   masked_name=str(data.get("masked_name") or ""), delivery=delivery,
                   submitted_at=_instant(data, "submitted_at"),
                   promised_date=_day(data, "promised_date"), owed_count=owed_count,
                   owed=owed, timeline=timeline, locker=locker, detailed=detailed)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, str) or not value:
        raise ValueError(f"case view: {key}: found {value!r}, expected text")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(f"case view: {key}: expected a list of objects")
    return value


def _day(data: Mapping[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"case view: {key}: found {value!r}, expected YYYY-MM-DD") from None


def _instant(data: Mapping[str, Any], key: str) -> datetime:
    value = data.get(key)
    try:
        parsed = datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"case view: {key}: found {value!r}, expected an ISO time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"case view: {key}: found {value!r}, expected a time with its zone")
    return parsed
