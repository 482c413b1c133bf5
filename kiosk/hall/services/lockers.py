"""Document locker events and pickup codes (取件码).

A code is 6 digits, stored only as HMAC-SHA256 with the hall secret (a plain sha256 of a 6-digit
number is reversed in a millisecond), unique among live codes, valid for ``pickup_code_days``.
Verify is attempt-limited per kiosk: ``pickup_max_failures`` wrong codes within the lockout
window lock that kiosk's keypad for ``pickup_lockout_s``. A deposit of a case issues a code and
notifies the applicant; a pickup uses the case's codes up. The clear code exists only in the
return value of ``issue_pickup_code`` and in the notification; never in a log or the inbox.

A deposit made at a kiosk's locker names the deposited ``item`` (its id): the kiosk, which must
serve pickups alone at night, made the code from that id and the shared hall secret
(``kiosk.lockers.codes.derive_code``) and keeps only its HMAC; this server derives the same code
to notify the applicant, so the code itself never travels through the outbox.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.hall.audit import record
from kiosk.hall.models import Case, CaseEvent, LockerEvent, PickupAttempt, PickupCode
from kiosk.hall.notify import Notifier, deliver
from kiosk.hall.schemas import LockerEventIn
from kiosk.hall.services.errors import CaseNotFound, RecordExists, ServiceRefusal
from kiosk.hall.settings import HallSettings
from kiosk.lockers.codes import derive_code


class PickupLocked(ServiceRefusal):
    status_code = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many wrong pickup codes: try again in {seconds} s",
                         f"取件码错误次数过多，请 {max(1, seconds // 60)} 分钟后再试")


class PickupRefused(ServiceRefusal):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("wrong or expired pickup code", "取件码不正确或已过期")


@dataclass(frozen=True)
class PickupMatch:
    case_number: str
    case_id: str
    compartment: int
    expires_at: datetime


def code_hmac(code: str, secret: bytes) -> str:
    return hmac.new(secret, b"pickup-code\x00" + code.encode("ascii"), hashlib.sha256).hexdigest()


def _live(now: datetime) -> object:
    return (PickupCode.used_at.is_(None)) & (PickupCode.expires_at > now)


def issue_pickup_code(session: Session, case_number: str, compartment: int, *, actor: str,
                      settings: HallSettings, notifier: Notifier | None,
                      now: datetime | None = None) -> str:
    case = session.execute(select(Case).where(Case.case_number == case_number)).scalar()
    if case is None:
        raise CaseNotFound(case_number)
    return _issue(session, case, compartment, actor=actor, settings=settings, notifier=notifier,
                  now=now or datetime.now(UTC))


def _issue(session: Session, case: Case, compartment: int, *, actor: str,
           settings: HallSettings, notifier: Notifier | None, now: datetime,
           code: str | None = None, expires: datetime | None = None) -> str:
    """``code``/``expires`` given: the kiosk's derived code for its deposit (see above)."""
    # Earlier live codes for this case stop working: one code per deposit.
    session.execute(update(PickupCode).where(PickupCode.case_id == case.case_id,
                                             _live(now)).values(used_at=now))
    if code is not None:
        digest = code_hmac(code, settings.secret)
    else:
        for _ in range(20):
            code = f"{secrets.randbelow(1_000_000):06d}"
            digest = code_hmac(code, settings.secret)
            clash = session.execute(select(PickupCode.id).where(
                PickupCode.code_hmac == digest, _live(now))).first()
            if clash is None:
                break
        else:  # a million codes and twenty clashes in a row: far too many live codes
            raise ServiceRefusal("no free pickup code", "取件码已用尽")
    expires = expires or now + timedelta(days=settings.pickup_code_days)
    session.add(PickupCode(case_id=case.case_id, compartment=compartment, code_hmac=digest,
                           issued_at=now, expires_at=expires))
    record(session, actor, "pickup_code.issued", case.case_number,
           {"compartment": compartment, "expires_at": expires.isoformat()}, at=now)
    session.flush()
    deliver(notifier, "pickup_code.issued", case.case_number, case.person_hash,
            f"您的办件 {case.case_number} 已存入文件柜 {compartment} 号格，取件码 {code}，"
            f"请于 {expires.astimezone(settings.tz):%Y-%m-%d} 前领取。",
            {"compartment": compartment, "code": code, "expires_at": expires.isoformat()})
    return code


def verify_pickup_code(session: Session, code: str, kiosk_id: str, settings: HallSettings, *,
                       now: datetime | None = None) -> PickupMatch | None:
    """A live code's case and compartment, or None for a wrong or expired code; the attempt is
    added to the session either way (the caller commits it, also for None). Raises
    ``PickupLocked`` after too many wrong codes. Does not use the code up: the
    ``locker.picked_up`` event does, once the door really opened."""
    now = now or datetime.now(UTC)
    since = now - timedelta(seconds=settings.pickup_lockout_s)
    last_ok = session.execute(select(func.max(PickupAttempt.at)).where(
        PickupAttempt.kiosk_id == kiosk_id, PickupAttempt.ok.is_(True))).scalar()
    window_start = max(since, last_ok) if last_ok else since
    fails = session.execute(select(PickupAttempt.at).where(
        PickupAttempt.kiosk_id == kiosk_id, PickupAttempt.ok.is_(False),
        PickupAttempt.at > window_start).order_by(PickupAttempt.at)).scalars().all()
    if len(fails) >= settings.pickup_max_failures:
        unlock = fails[-settings.pickup_max_failures] + timedelta(seconds=settings.pickup_lockout_s)
        raise PickupLocked(max(1, int((unlock - now).total_seconds())))
    row = session.execute(select(PickupCode, Case.case_number).join(
        Case, Case.case_id == PickupCode.case_id).where(
        PickupCode.code_hmac == code_hmac(code, settings.secret), _live(now))).first()
    session.add(PickupAttempt(kiosk_id=kiosk_id, at=now, ok=row is not None))
    if row is None:
        return None
    pc, number = row
    return PickupMatch(number, pc.case_id, pc.compartment, pc.expires_at)


def store_locker_event(session: Session, kind: str, event: LockerEventIn, kiosk_id: str,
                       settings: HallSettings, notifier: Notifier | None,
                       *, now: datetime | None = None) -> dict[str, object]:
    event_id = str(event.event_id)
    if session.get(LockerEvent, event_id) is not None:
        raise RecordExists(f"locker event {event_id} was already received under another key",
                           "该文件柜事件已经收到")
    now = now or datetime.now(UTC)
    session.add(LockerEvent(event_id=event_id, kind=kind, hall=event.hall, kiosk_id=kiosk_id,
                            compartment=event.compartment, case_id=event.case_id, at=event.at,
                            payload=event.model_dump(mode="json")))
    case = session.get(Case, event.case_id) if event.case_id else None
    answer: dict[str, object] = {"event_id": event_id}
    if case is not None and kind == "locker.deposited":
        extra = event.model_extra or {}
        item, until = extra.get("item"), extra.get("expires_at")
        code = derive_code(settings.secret, item) if isinstance(item, str) and item else None
        try:
            expires = datetime.fromisoformat(until) if isinstance(until, str) else None
        except ValueError:
            expires = None
        if expires is not None and expires.tzinfo is None:
            expires = None
        _issue(session, case, event.compartment, actor=f"kiosk:{kiosk_id}", settings=settings,
               notifier=notifier, now=now, code=code, expires=expires)
        answer["pickup_code_issued"] = True
    elif case is not None and kind == "locker.picked_up":
        session.execute(update(PickupCode).where(
            PickupCode.case_id == case.case_id, PickupCode.compartment == event.compartment,
            PickupCode.used_at.is_(None)).values(used_at=now))
        if case.status == "ready_for_pickup":
            case.status, case.updated_at = "collected", now
            session.add(CaseEvent(case_id=case.case_id, at=now, status="collected",
                                  actor=f"kiosk:{kiosk_id}",
                                  note=f"locker compartment {event.compartment}"))
    return answer
