"""Where a QR code scanned outside a journey goes: the kiosk's one rule, used by the app on home.

- a queue ticket's QR (``hall.queue_url/<signed token>``): that ticket, with people ahead as of
  now and a reprint (``QueueFlow.open_ticket``);
- a case receipt's QR (``hall.progress_url/<signed token>``): progress lookup; the app publishes
  ``ReceiptScanned(token)`` on the bus — the hook the progress flow takes the token from — and
  opens the "progress" screen once it exists;
- anything else is tried as an appointment code (check-in), whose refusal says what to do.

A token that fails its signature is not a ticket or a receipt of this hall: it falls through to
the appointment check, which answers "没有找到您的预约". Pure; never logs the scanned text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from config.schema import HallConfig
from kiosk.tokens import case_from_token, ticket_from_token


class ScanKind(enum.StrEnum):
    TICKET = "ticket"
    CASE_RECEIPT = "case_receipt"
    APPOINTMENT = "appointment"


@dataclass(frozen=True)
class ScanRoute:
    kind: ScanKind
    ticket_id: str = ""  # TICKET: the verified ticket id
    token: str = ""  # CASE_RECEIPT: the receipt's token, as printed
    code: str = ""  # APPOINTMENT: the scanned text


@dataclass(frozen=True)
class ReceiptScanned:
    """A case receipt's QR was scanned outside a journey: the progress flow looks it up."""

    token: str


def _tail(text: str, base: str) -> str | None:
    prefix = base.rstrip("/") + "/"
    return text[len(prefix):] if text.startswith(prefix) and len(text) > len(prefix) else None


def route_scan(text: str, hall: HallConfig, secret: bytes) -> ScanRoute:
    text = text.strip()
    token = _tail(text, hall.queue_url)
    if token is not None:
        ticket_id = ticket_from_token(token, secret)
        if ticket_id is not None:
            return ScanRoute(ScanKind.TICKET, ticket_id=ticket_id)
    token = _tail(text, hall.progress_url)
    if token is not None and case_from_token(token, secret) is not None:
        return ScanRoute(ScanKind.CASE_RECEIPT, token=token)
    return ScanRoute(ScanKind.APPOINTMENT, code=text)
