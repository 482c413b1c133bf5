"""Masks for paper and screens, the ID hash, the hall secret, and the hall's service date."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.clock import FixedClock, ManualClock, SystemClock, service_date
from kiosk.privacy import id_hash, load_hall_secret, mask_id, mask_name, write_hall_secret
from tests.core.conftest import SHANGHAI


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张*"), ("李小明", "李*明"), ("欧阳娜娜", "欧**娜"), ("买买提·吐尔逊", "买*****逊"),
    ("王", "*"), ("ZHANG San", "Z**** S**"), ("", ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(("number", "masked"), [
    ("11010519491231002X", "1101**********002X"),
    ("350102199003071234", "3501**********1234"),
    ("11010519491231002x", "1101**********002X"),
    ("H1234567", "H1****67"),
])
def test_mask_id(number, masked):
    assert mask_id(number) == masked


def test_id_hash_is_keyed_and_normalised():
    """Given one ID number, when hashed, then the hex never contains the number, a lowercase x
    gives the same hash, and another hall's secret gives another hash."""
    a = id_hash("11010519491231002X", b"a" * 32)
    assert a == id_hash(" 11010519491231002x ", b"a" * 32)
    assert a != id_hash("11010519491231002X", b"b" * 32)
    assert len(a) == 64 and "110105" not in a
    with pytest.raises(ValueError):
        id_hash("11010519491231002X", b"short")


def test_hall_secret_is_created_once_private_and_stable(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_HALL_SECRET", raising=False)
    first = load_hall_secret(tmp_path / "var")
    assert len(first) == 32
    assert load_hall_secret(tmp_path / "var") == first
    mode = (tmp_path / "var" / "hall_secret").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    monkeypatch.setenv("KIOSK_HALL_SECRET", "ab" * 16)
    assert load_hall_secret(tmp_path / "var") == b"\xab" * 16


def test_service_date_is_local_not_utc():
    """Given 07:30 in Shanghai on 5 January (23:30 UTC on the 4th), then the service date is the
    5th; at 23:59:59 local it is still the 5th, one second later the 6th."""
    clock = ManualClock(datetime(2026, 1, 4, 23, 30, tzinfo=UTC))
    assert service_date(clock, SHANGHAI) == date(2026, 1, 5)
    clock.set(datetime(2026, 1, 5, 23, 59, 59, tzinfo=SHANGHAI))
    assert service_date(clock, SHANGHAI) == date(2026, 1, 5)
    clock.advance(timedelta(seconds=1))
    assert service_date(clock, SHANGHAI) == date(2026, 1, 6)


def test_clocks_refuse_naive_times_and_system_clock_is_aware():
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 1, 5))
    now = SystemClock("Asia/Shanghai").now()
    assert now.utcoffset() == timedelta(hours=8)


def test_configured_secret_file_is_shared_by_two_kiosks(tmp_path, monkeypatch):
    """Given two kiosks with their own data dirs naming one hall.secret_file, when each loads
    the secret, then both get the same key (so per-person limits work across the hall)."""
    monkeypatch.delenv("KIOSK_HALL_SECRET", raising=False)
    shared = tmp_path / "etc" / "hall_secret"
    write_hall_secret(shared)  # what `kiosk hall init-secret --file` does
    first = load_hall_secret(tmp_path / "k1", str(shared))
    assert load_hall_secret(tmp_path / "k2", str(shared)) == first
    assert not (tmp_path / "k1" / "hall_secret").exists()


def test_a_corrupt_secret_file_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_HALL_SECRET", raising=False)
    bad = tmp_path / "hall_secret"
    bad.write_text("not hex\n", encoding="ascii")
    with pytest.raises(ValueError, match=f"{bad}: the hall secret must be hex"):
        load_hall_secret(tmp_path, str(bad))
    bad.write_text("abcd\n", encoding="ascii")
    with pytest.raises(ValueError, match="at least 16 bytes"):
        load_hall_secret(tmp_path, str(bad))
