"""Pickup codes, staff PINs and the cooling-off arithmetic: hashed, never stored or logged clear.

Where a pickup code is verified (the design, also in the README): the KIOSK holding the item is
the authority for it. When a deposit completes, the kiosk makes the code from the item's id and
the hall secret (``derive_code``: HMAC-SHA256 → 6 digits) and keeps only ``code_hmac`` of it —
the same HMAC the hall server keeps. The ``locker.deposited`` outbox record carries the item id,
never the code; the hall server, holding the same secret, derives the same code and hands it to
its notifier (SMS). So no clear code is ever written to a database, an outbox row or a log, and
a kiosk alone at night (hall server unreachable) still serves every pickup. Codes are unique
among the live items of a kiosk (the kiosk draws another item id on a clash). Anyone holding the
hall secret can derive codes — but the same person could already test the 10^6 codes against
the stored HMACs, so the secret was always what protects them.

PINs: scrypt with a random salt. Never logs a code or a PIN, never compares digests with ``==``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets

_DERIVE = b"zhengwu-kiosk/locker-pickup-code/v1\x00"
CODE_DIGITS = 6
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def derive_code(secret: bytes, item_id: str) -> str:
    """The 6-digit pickup code of a deposited item (kiosk and hall server agree on it)."""
    digest = hmac.new(secret, _DERIVE + item_id.encode("ascii"), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10 ** CODE_DIGITS:06d}"


def code_hmac(code: str, secret: bytes) -> str:
    """What is stored for a code (the same function as ``kiosk.hall.services.lockers``)."""
    return hmac.new(secret, b"pickup-code\x00" + code.encode("ascii"), hashlib.sha256).hexdigest()


def well_formed(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(pin.encode("utf-8"), salt=salt, dklen=len(digest), **_SCRYPT)
    return hmac.compare_digest(got, digest)


def secret_hash(value: str, secret: bytes, domain: str) -> str:
    """A keyed hash of a staff QR text (or any token) for lookup without storing it."""
    return hmac.new(secret, domain.encode() + b"\x00" + value.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def minutes_left(seconds: float) -> int:
    """Cooling-off said in whole minutes, rounded up (never "0 minutes")."""
    return max(1, math.ceil(seconds / 60))
