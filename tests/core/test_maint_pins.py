"""The technician PIN: hashed with argon2, checked with an attempt limit and a lockout that
only time ends, every entry, wrong PIN, lockout and change audited — never the PIN itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from kiosk.clock import ManualClock
from kiosk.maintenance.pins import PinFormatError, PinResult, PinStore
from kiosk.storage.models import AuditEntry, MaintenancePin


@pytest.fixture
def store(engine: Engine) -> PinStore:
    return PinStore(engine, hall="QZ01", kiosk_id="K01", attempts=3, lockout_s=300)


def actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def test_no_pin_set_refuses_entry(store: PinStore, clock: ManualClock) -> None:
    """Given a kiosk without a PIN, then nothing opens it (there is no default PIN)."""
    assert not store.is_set()
    assert store.check("0000", clock.now()).result is PinResult.NOT_SET


def test_the_pin_is_stored_as_an_argon2_hash_only(store: PinStore, engine: Engine,
                                                  clock: ManualClock) -> None:
    """Given a PIN set, then the table holds an argon2id hash, no row or audit holds the PIN,
    and the right PIN opens while a wrong one does not."""
    store.set_pin("482913", clock.now())
    with engine.connect() as conn:
        stored = conn.execute(select(MaintenancePin.pin_hash)).scalar_one()
        audit = [str(d) for d in conn.execute(select(AuditEntry.detail)).scalars()]
    assert stored.startswith("$argon2id$") and "482913" not in stored
    assert not any("482913" in d for d in audit)
    assert store.check("482913", clock.now()).result is PinResult.OK
    assert store.check("482914", clock.now()).result is PinResult.WRONG
    assert actions(engine) == ["maintenance.pin_changed", "maintenance.enter",
                               "maintenance.pin_wrong"]


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４", ""])
def test_a_pin_must_be_4_to_8_ascii_digits(store: PinStore, clock: ManualClock,
                                           pin: str) -> None:
    with pytest.raises(PinFormatError, match="expected 4 to 8 digits"):
        store.set_pin(pin, clock.now())
    assert not store.is_set()


def test_wrong_pins_lock_the_pad_until_the_lockout_ends(store: PinStore, engine: Engine,
                                                       clock: ManualClock) -> None:
    """Given 3 attempts, when 2 wrong PINs are typed, then each says how many are left; the
    3rd locks for 300 s, during which even the right PIN is refused without counting; after
    it the right PIN opens and the count starts again."""
    store.set_pin("2468", clock.now())
    assert store.check("1111", clock.now()).attempts_left == 2
    assert store.check("1111", clock.now()).attempts_left == 1
    locked = store.check("1111", clock.now())
    assert locked.result is PinResult.LOCKED
    assert locked.locked_until == clock.now() + timedelta(seconds=300)
    clock.advance(timedelta(seconds=299))
    assert store.check("2468", clock.now()).result is PinResult.LOCKED
    clock.advance(timedelta(seconds=2))
    assert store.check("2468", clock.now()).result is PinResult.OK
    assert store.check("1111", clock.now()).attempts_left == 2  # counting starts again
    assert actions(engine) == ["maintenance.pin_changed", "maintenance.pin_wrong",
                               "maintenance.pin_wrong", "maintenance.locked",
                               "maintenance.enter", "maintenance.pin_wrong"]


def test_a_right_pin_resets_the_count_and_a_new_pin_clears_a_lockout(
        store: PinStore, clock: ManualClock) -> None:
    store.set_pin("2468", clock.now())
    store.check("1111", clock.now())
    store.check("1111", clock.now())
    assert store.check("2468", clock.now()).result is PinResult.OK
    assert store.check("1111", clock.now()).attempts_left == 2
    for _ in range(2):
        store.check("1111", clock.now())
    assert store.check("2468", clock.now()).result is PinResult.LOCKED
    store.set_pin("1357", clock.now(), how="shell")
    assert store.check("1357", clock.now()).result is PinResult.OK
    assert store.verify_only("1357") and not store.verify_only("2468")
