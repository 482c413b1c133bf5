"""Ticket, case and alert events as kiosks report them: stored for statistics and the audit
trail (the live queue itself is the kiosks' ``tickets`` table, moved by ``queue_desk``).

Never interprets an event as a command: storing ``ticket.called`` does not call anyone.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall.models import CaseKioskEvent, KioskAlert, TicketEvent
from kiosk.hall.schemas import EventIn, TicketIssued, TicketMoved
from kiosk.hall.services.errors import RecordExists, ServiceRefusal

TICKET_KINDS = ("ticket.issued", "ticket.called", "ticket.done", "ticket.skipped")
ALERT_KINDS = ("alert.raised", "alert.cleared")


class BadEvent(ServiceRefusal):
    """422 with the first problem, as one line."""

    @classmethod
    def from_validation(cls, kind: str, exc: ValidationError) -> BadEvent:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return cls(f"{kind} payload.{where}: {err['msg']}", f"{kind} 数据格式错误：payload.{where}")


def store_ticket_event(session: Session, event: EventIn, kiosk_id: str) -> dict[str, object]:
    if event.kind not in TICKET_KINDS:
        raise BadEvent(f"kind {event.kind!r}: expected one of {', '.join(TICKET_KINDS)}",
                       "未知的取号事件类型")
    try:
        if event.kind == "ticket.issued":
            t = TicketIssued.model_validate(event.payload)
            ticket_id, hall, at, number = t.uuid, t.hall, t.issued_at, t.number
            day, window = t.service_date, None
        else:
            m = TicketMoved.model_validate(event.payload)
            ticket_id, hall, at, number = m.ticket, m.hall, m.at, m.number
            day, window = None, m.window
    except ValidationError as exc:
        raise BadEvent.from_validation(event.kind, exc) from None
    dup = session.execute(select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.kind == event.kind)).first()
    if dup is not None:
        raise RecordExists(f"{event.kind} for ticket {ticket_id} was already received under "
                           "another key", "该取号事件已经收到")
    session.add(TicketEvent(ticket_id=ticket_id, kind=event.kind, hall=hall, kiosk_id=kiosk_id,
                            number=number, service_date=day, window_id=window, at=at,
                            payload=dict(event.payload)))
    return {"ticket_id": ticket_id}


def store_case_event(session: Session, event: EventIn, kiosk_id: str) -> dict[str, object]:
    if not event.kind.startswith("case.") or event.kind == "case.created":
        raise BadEvent(f"kind {event.kind!r}: expected case.* (case.created goes to "
                       "POST /api/v1/cases)", "未知的办件事件类型")
    case_id = event.payload.get("case_id")
    row = CaseKioskEvent(kind=event.kind, kiosk_id=kiosk_id,
                         case_id=case_id if isinstance(case_id, str) else None,
                         at=event.created_at, payload=dict(event.payload))
    session.add(row)
    session.flush()
    return {"event_id": row.id}


def store_alert(session: Session, event: EventIn, kiosk_id: str) -> dict[str, object]:
    if event.kind not in ALERT_KINDS:
        raise BadEvent(f"kind {event.kind!r}: expected one of {', '.join(ALERT_KINDS)}",
                       "未知的告警事件类型")
    row = KioskAlert(kind=event.kind, kiosk_id=kiosk_id, at=event.created_at,
                     payload=dict(event.payload))
    session.add(row)
    session.flush()
    return {"alert_id": row.id}


