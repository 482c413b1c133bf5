"""What kiosks may read (``/api/v1``): a case by number, by receipt token or by person hash,
today's appointments, and a pickup-code check. Nothing else: no other kiosk's heartbeat, no
staff data, no receipt token or person hash in a case view, no notes staff wrote.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall.models import PickupCode
from kiosk.hall.schemas import PickupVerifyIn
from kiosk.hall.services import cases, lockers
from kiosk.hall.services.errors import CaseNotFound, NotFound, ServiceRefusal
from kiosk.hall.settings import HallSettings
from kiosk.storage.models import Appointment

router = APIRouter(prefix="/api/v1", tags=["kiosk"])


def kiosk_view(session: Session, case: cases.CaseSummary | cases.CaseDetail,
               now: datetime) -> dict[str, Any]:
    """A case as the progress lookup (办件查询) shows it to the applicant."""
    out: dict[str, Any] = {
        "case_number": case.case_number, "case_id": case.case_id, "status": case.status,
        "status_zh": cases.STATUS_ZH[case.status], "item_ids": case.item_ids,
        "masked_name": case.masked_name, "delivery": case.delivery,
        "submitted_at": case.submitted_at.isoformat(),
        "promised_date": case.promised_date.isoformat() if case.promised_date else None,
        "owed_count": case.owed_count}
    if isinstance(case, cases.CaseDetail):
        out["owed"] = [{"material_id": m.material_id, "name": m.name,
                        "due_date": m.due_date.isoformat() if m.due_date else None}
                       for m in case.materials if m.status == "owed"]
        out["timeline"] = [{"at": t.at.isoformat(), "status": t.status,
                            "status_zh": cases.STATUS_ZH[t.status]} for t in case.timeline]
        code = session.execute(select(PickupCode.compartment, PickupCode.expires_at).where(
            PickupCode.case_id == case.case_id, PickupCode.used_at.is_(None),
            PickupCode.expires_at > now).order_by(PickupCode.issued_at.desc())).first()
        out["locker"] = ({"compartment": code.compartment,
                          "expires_at": code.expires_at.isoformat()} if code else None)
    return out


@router.get("/cases/by-token/{receipt_token}")
def case_by_token(request: Request, receipt_token: str) -> dict[str, Any]:
    """The case a receipt QR names."""
    with request.app.state.sessions() as s:
        case = cases.get_case_by_token(s, receipt_token)
        if case is None:
            raise NotFound("no case for this receipt", "没有找到该回执对应的办件")
        return kiosk_view(s, case, datetime.now(UTC))


@router.get("/cases/{case_number}")
def case_by_number(request: Request, case_number: str) -> dict[str, Any]:
    with request.app.state.sessions() as s:
        case = cases.get_case(s, case_number)
        if case is None:
            raise CaseNotFound(case_number)
        return kiosk_view(s, case, datetime.now(UTC))


@router.get("/cases")
def cases_of_person(request: Request, person_hash: Annotated[
        str, Query(pattern=r"^[0-9a-f]{16,128}$")]) -> dict[str, Any]:
    """The applicant's cases (ID card tapped at the kiosk), newest first."""
    with request.app.state.sessions() as s:
        found = cases.list_cases(s, person_hash=person_hash, limit=50)
        now = datetime.now(UTC)
        return {"cases": [kiosk_view(s, c, now) for c in found]}


@router.get("/appointments")
def appointments(request: Request, day: Annotated[date, Query(alias="date")]) -> dict[str, Any]:
    """The hall's appointments of one day (today, ±1 day for clocks near midnight)."""
    settings: HallSettings = request.app.state.settings
    today = datetime.now(settings.tz).date()
    if abs((day - today).days) > 1:
        raise ServiceRefusal(f"date {day}: a kiosk may read today's appointments only "
                             f"({today})", "只能查询当天的预约")
    with request.app.state.sessions() as s:
        rows = s.execute(select(Appointment).where(
            Appointment.hall == settings.hall_code, Appointment.service_date == day).order_by(
            Appointment.slot_start, Appointment.id)).scalars().all()
        return {"date": day.isoformat(), "appointments": [{
            "code": a.code, "item_id": a.item_id, "date": a.service_date.isoformat(),
            "start": a.slot_start.isoformat(timespec="minutes"),
            "end": a.slot_end.isoformat(timespec="minutes"), "window": a.window_id,
            "person_hash": a.person_hash, "masked_name": a.masked_name, "status": a.status}
            for a in rows]}


@router.post("/locker/pickup-codes/verify", responses={
    404: {"description": "wrong or expired code"},
    429: {"description": "too many wrong codes from this kiosk"}})
def verify_pickup(request: Request, body: PickupVerifyIn) -> JSONResponse:
    """Which case and compartment a 6-digit pickup code opens (attempt-limited per kiosk)."""
    state = request.app.state
    with state.sessions.begin() as s:
        match = lockers.verify_pickup_code(s, body.code, request.state.kiosk_id, state.settings)
    if match is None:  # the failed attempt was committed above
        raise lockers.PickupRefused()
    return JSONResponse({"case_number": match.case_number, "case_id": match.case_id,
                         "compartment": match.compartment,
                         "expires_at": match.expires_at.isoformat()})


