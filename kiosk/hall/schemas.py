"""What kiosks send, validated once at the edge (pydantic). Wrong types are refused (422) before
anything is stored; inner code trusts these objects.

Numbers and booleans are strict (``"5"`` is not a level, ``1`` is not ``true``); timestamps are
ISO strings and must carry a zone. Unknown extra keys are ignored (a newer kiosk may add a field
without being refused) and are not stored.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

Text = Annotated[StrictStr, Field(max_length=200)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Sha256 = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
# A page file name as the kiosk names it: no directories, no dot files.
FileName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")]
Level = Annotated[StrictInt, Field(ge=1, le=5)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class EventIn(_In):
    """The envelope of ticket, case, locker and alert events."""

    kind: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    payload: dict[str, Any]
    created_at: AwareDatetime


class TicketIssued(_In):
    hall: Id
    kiosk: Id
    uuid: Id
    number: Annotated[StrictStr, Field(max_length=16)]
    service_date: date
    category: Id
    item_id: Id
    people_ahead: StrictInt
    issued_at: AwareDatetime
    priority_reason: Id | None = None
    masked_name: Text | None = None


class TicketMoved(_In):
    """``ticket.called|done|skipped`` as ``kiosk.queue.counter`` records them."""

    hall: Id
    at: AwareDatetime
    number: Annotated[StrictStr, Field(max_length=16)]
    ticket: Id
    window: Id


class PageIn(_In):
    file: FileName
    sha256: Sha256


class MaterialIn(_In):
    material_id: Id
    name: Text
    status: Literal["received", "owed"]
    due_date: date | None = None
    pages: list[PageIn] = Field(default_factory=list, max_length=40)


class CaseIn(_In):
    case_id: UUID
    hall: Id
    kiosk: Id
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=20)]
    bundle_id: Id | None = None
    person_hash: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{16,128}$")]
    masked_name: Text
    delivery: Literal["window", "locker", "post"]
    submitted_at: AwareDatetime
    promised_date: date | None = None
    repeat_of: Annotated[StrictStr, Field(max_length=32)] | None = None
    materials: Annotated[list[MaterialIn], Field(max_length=60)]


Dimension = Literal["overall", "efficiency", "service", "attitude"]


class RatingIn(_In):
    rating_id: UUID
    hall: Id
    kiosk: Id
    target_kind: Literal["ticket", "case"]
    target_id: Id
    level: Level
    reasons: Annotated[list[Text], Field(max_length=20)] = Field(default_factory=list)
    dimensions: dict[Dimension, Level] = Field(default_factory=dict)
    contact_wanted: StrictBool = False
    contact_phone_masked: Annotated[StrictStr, Field(max_length=32)] | None = None
    at: AwareDatetime


class LockerEventIn(_In):
    model_config = ConfigDict(extra="allow")  # door states etc. are kept in the payload

    event_id: UUID
    hall: Id
    kiosk: Id
    compartment: Annotated[StrictInt, Field(ge=1, le=999)]
    case_id: Id | None = None
    at: AwareDatetime


class DeviceState(_In):
    state: Literal["ok", "degraded", "offline"]
    reason: Annotated[StrictStr, Field(max_length=300)] = ""


class OutboxState(_In):
    pending: Annotated[StrictInt, Field(ge=0)]
    parked: Annotated[StrictInt, Field(ge=0)]
    oldest_pending_age_s: Annotated[float, Field(ge=0)] | None = None


class HeartbeatAlert(_In):
    kind: Id
    message: Annotated[StrictStr, Field(max_length=500)]
    at: AwareDatetime


class HeartbeatIn(_In):
    kiosk_id: Id
    version: Annotated[StrictStr, Field(max_length=40)]
    devices: dict[Id, DeviceState] = Field(default_factory=dict)
    paper: Literal["ok", "near_end", "out", "offline", "unknown"] = "unknown"
    outbox: OutboxState
    alerts: Annotated[list[HeartbeatAlert], Field(max_length=100)] = Field(default_factory=list)
    report: dict[str, Any] | None = None


class PickupVerifyIn(_In):
    code: Annotated[StrictStr, Field(pattern=r"^[0-9]{6}$")]
