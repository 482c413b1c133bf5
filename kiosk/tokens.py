"""Signed tokens: what the QR on a queue ticket (or a case receipt) carries to open its own page.

``/q/{token}`` shows a ticket's place in the queue to whoever holds the paper, with no login, so
the token must not be guessable or enumerable from other tickets: it is the ticket id and an
HMAC-SHA256 tag over it keyed with the hall secret (``hall.secret_file``, shared by the hall's
kiosks and server). Pure standard library, importable by the kiosk that prints the QR. Never
raises on a malformed token (a forged or mangled QR is simply ``None``), and never compares tags
with ``==`` (constant-time only).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

# The same hall secret also keys the ID-number hashes (kiosk.privacy.id_hash); the prefix keeps a
# ticket tag from ever equalling an ID hash of the same string, or a case tag.
_DOMAIN = b"zhengwu-kiosk/ticket-page/v1\x00"
# A case receipt is printed before the hall server has seen the case, so its QR is made here
# from the kiosk's case id (uuid4) and the hall secret; the server makes the same token.
_CASE_DOMAIN = b"zhengwu-kiosk/case-receipt/v1\x00"
# 128 bits of tag: forging needs 2**128 tries; keeps the QR small enough for 58 mm paper.
TAG_BYTES = 16
MAX_ID_BYTES = 128  # a ticket id is a 36-character uuid; anything signable fits in a token
MAX_TOKEN_CHARS = 200  # base64 of MAX_ID_BYTES (171) + "." + tag (22)
MIN_SECRET_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(ticket_id: bytes, secret: bytes, domain: bytes = _DOMAIN) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the hall secret must be at least {MIN_SECRET_BYTES} bytes")
    return hmac.new(secret, domain + ticket_id, hashlib.sha256).digest()[:TAG_BYTES]


def ticket_token(ticket_id: str, secret: bytes, *, domain: bytes = _DOMAIN) -> str:
    """``<base64url(ticket id)>.<base64url(tag)>``, URL-safe, no padding."""
    raw = ticket_id.encode("utf-8")
    if not raw or len(raw) > MAX_ID_BYTES:
        raise ValueError(f"a ticket id must be 1-{MAX_ID_BYTES} bytes of UTF-8")
    return f"{_b64(raw)}.{_b64(_tag(raw, secret, domain))}"


def case_token(case_id: str, secret: bytes) -> str:
    """The receipt QR's token for a case (the kiosk's case id, signed for case receipts only)."""
    return ticket_token(case_id, secret, domain=_CASE_DOMAIN)


def case_from_token(token: str, secret: bytes) -> str | None:
    """The case id a receipt token was made for, or ``None`` (malformed, forged, a ticket's)."""
    return ticket_from_token(token, secret, domain=_CASE_DOMAIN)


def ticket_from_token(token: str, secret: bytes, *, domain: bytes = _DOMAIN) -> str | None:
    """The ticket id the token was made for, or ``None`` when it is malformed or forged."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    body, dot, tag_text = token.partition(".")
    if not dot or not body or not tag_text:
        return None
    try:
        raw = _unb64(body)
        tag = _unb64(tag_text)
        ticket_id = raw.decode("utf-8")
    except (binascii.Error, ValueError):  # bad base64 / not UTF-8 (UnicodeDecodeError)
        return None
    # Re-encoding must give back the exact text: base64 tolerates stray trailing bits, and two
    # spellings of one token would let a forger probe the tag without changing the ticket.
    if _b64(raw) != body or _b64(tag) != tag_text:
        return None
    if not hmac.compare_digest(tag, _tag(raw, secret, domain)):
        return None
    return ticket_id
