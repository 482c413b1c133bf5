"""Kiosk tokens and staff passwords are stored only as hashes."""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from sqlalchemy import select

from kiosk.hall import auth
from kiosk.hall.models import KioskAccount, Staff


def test_the_unknown_user_hash_costs_what_a_real_one_costs():
    """The constant verified for unknown users has the hasher's current parameters (else an
    unknown user name would answer faster than a known one)."""
    assert not PasswordHasher().check_needs_rehash(auth._DUMMY_HASH)


def test_tokens_and_passwords_are_never_stored_in_clear(hall):
    with hall.app.state.sessions.begin() as s:
        token = auth.add_kiosk(s, "K09")
        auth.add_staff(s, "chen", "a-long-password", "clerk")
    with hall.app.state.sessions() as s:
        row = s.get(KioskAccount, "K09")
        staff = s.execute(select(Staff).where(Staff.username == "chen")).scalar_one()
        assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
        assert token not in row.token_sha256
        assert staff.password_hash.startswith("$argon2id$")
        assert "a-long-password" not in staff.password_hash
        assert auth.kiosk_for_token(s, token) == "K09"
        assert auth.kiosk_for_token(s, row.token_sha256) is None  # the hash is not a token
