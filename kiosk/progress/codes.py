"""What a scanned code names: a case receipt (its QR is ``hall.progress_url/<token>``) or a
queue ticket (its QR is ``hall.queue_url/<token>``; its rating QR is
``hall.rating_url?hall=<code>&t=<ticket id>``).

Tokens are checked with the hall secret here, at the kiosk, so a forged or mangled code is
refused at once without asking the server. Only the last path segment is read as the token
(a hall that moved its server keeps its old receipts readable). Never raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from kiosk.tokens import case_from_token, ticket_from_token

MAX_CODE_CHARS = 512


@dataclass(frozen=True)
class Scanned:
    kind: str  # "case" or "ticket"
    target_id: str  # the case id (uuid, made by the kiosk) or the ticket id
    token: str  # the signed token ("" for a ticket's unsigned rating QR)
    signed: bool = True


def _last_segment(text: str) -> str:
    path = urlsplit(text).path if "://" in text else text
    return path.rstrip("/").rsplit("/", 1)[-1]


def read_code(text: str, secret: bytes, *, hall_code: str = "") -> Scanned | None:
    """A receipt or a ticket this hall issued, or None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > MAX_CODE_CHARS:
        return None
    token = _last_segment(text)
    case_id = case_from_token(token, secret)
    if case_id is not None:
        return Scanned("case", case_id, token)
    ticket_id = ticket_from_token(token, secret)
    if ticket_id is not None:
        return Scanned("ticket", ticket_id, token)
    if "://" in text:  # the ticket's rating QR: ?hall=QZ01&t=<ticket uuid>, not signed
        query = parse_qs(urlsplit(text).query)
        hall, ticket = query.get("hall", [""])[0], query.get("t", [""])[0]
        if ticket and 0 < len(ticket) <= 64 and (not hall_code or hall == hall_code):
            return Scanned("ticket", ticket, "", signed=False)
    return None
