"""呼叫工作人员: a citizen at the kiosk asked for a person.

The call is an alert staff see — in this kiosk's ``alerts`` (the maintenance screen) and at the
hall (``alert.raised`` through the outbox, in the same transaction, so the hall hears of every
call the kiosk recorded and of nothing it did not). A second tap while a call is still fresh
adds nothing: one person walking over is enough. Runs on a worker thread (it writes to the
database); never records who called — the kiosk does not know, and must not guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from kiosk.outbox import Outbox
from kiosk.storage.models import Alert

KIND = "citizen.call_staff"
FRESH = timedelta(minutes=3)  # a call younger than this is still being answered
MESSAGE = "a citizen asked for help at the kiosk"
MESSAGE_ZH = "有群众在自助终端前请求帮助，请前往"


@dataclass(frozen=True)
class StaffCall:
    alert_id: int
    new: bool  # False: a call from moments ago is still open, nothing was added


def call_staff(engine: Engine, outbox: Outbox, kiosk_id: str, at: datetime) -> StaffCall:
    """Record the call (or find the fresh one) and queue it for the hall, in one transaction."""
    at = at.astimezone(UTC)
    with engine.begin() as conn:
        row = conn.execute(select(Alert.id, Alert.at).where(
            Alert.kiosk_id == kiosk_id, Alert.kind == KIND, Alert.cleared_at.is_(None))
            .order_by(Alert.id.desc())).first()
        if row is not None:
            opened = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
            if at - opened < FRESH:
                return StaffCall(int(row.id), new=False)
            # an old call nobody cleared: close it, the citizen in front now is a new one
            conn.execute(update(Alert).where(Alert.id == row.id).values(cleared_at=at))
        alert_id = int(conn.execute(insert(Alert).values(
            at=at, kiosk_id=kiosk_id, kind=KIND, severity="warning", message=MESSAGE,
            message_zh=MESSAGE_ZH)).inserted_primary_key[0])  # type: ignore[index]
        outbox.add(conn, f"alert:{KIND}:{alert_id}", "alert.raised",
                   {"kiosk": kiosk_id, "kind": KIND, "alert_id": alert_id, "message": MESSAGE,
                    "message_zh": MESSAGE_ZH}, at)
    return StaffCall(alert_id, new=True)
