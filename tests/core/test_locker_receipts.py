"""Locker slips: door, case and time in the citizen's language; nothing personal beyond the
masked name, never a code."""

from __future__ import annotations

from datetime import datetime

from drivers.printer.layout import TextLine
from kiosk.receipts.locker import dropoff_receipt, pickup_receipt
from tests.core.conftest import SHANGHAI

HALL = ("泉州市行政服务中心", "Quanzhou Administrative Service Center")
AT = datetime(2026, 10, 12, 21, 5, tzinfo=SHANGHAI)


def lines(receipt) -> list[str]:
    return [e.text for e in receipt.elements if isinstance(e, TextLine)]


def test_pickup_slip_in_chinese_and_english() -> None:
    """Given a pickup from door 7, then the slip names the door, the case and the time, in the
    language asked for, and nothing else about the person."""
    zh = lines(pickup_receipt(HALL, 7, "SB20261012-0003", AT, "zh"))
    en = lines(pickup_receipt(HALL, 7, "SB20261012-0003", AT, "en"))
    assert "柜门：7 号" in zh and "取件凭条" in zh and "取件时间：2026-10-12 21:05" in zh
    assert "Door: No. 7" in en and "Pickup slip" in en and HALL[1] in en
    assert not any("柜" in t for t in en)


def test_drop_off_receipt_carries_the_masked_name_only() -> None:
    """Given a drop-off by 张* into door 12, then the receipt says so, in English too."""
    en = lines(dropoff_receipt(HALL, 12, "失业登记", "张*", AT, "en"))
    assert "Dropped off by: 张*" in en and "Door: No. 12" in en
    zh = lines(dropoff_receipt(HALL, 12, "失业登记", "张*", AT, "zh"))
    assert "投递人：张*" in zh and "办件：失业登记" in zh
