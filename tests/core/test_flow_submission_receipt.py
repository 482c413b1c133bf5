"""The submission receipt as the printer gets it (ESC/POS bytes) and as paper looks (PNG): the
kiosk's reference, the masked applicant, every item of a bundle, materials with page counts, the
one-time list of what is owed with deadlines, the promised date, delivery, and a QR that decodes
to the progress URL whose token names the case."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from drivers.printer.escpos_render import render_escpos
from drivers.printer.preview import render_png
from drivers.printer.profile import PrinterProfile
from kiosk.cases.model import CaseReceipt, OwedLine, ReceivedLine
from kiosk.config import load_config
from kiosk.i18n import Names
from kiosk.receipts.case import case_receipt, continue_slip
from kiosk.tokens import case_from_token, case_token
from tests.core.conftest import MONDAY_10, SECRET

CASE_ID = "6f0b7f5e-2d7c-4f3e-9a61-3b1d2c4e5f70"
URL = "https://hall.example.gov.cn/case/" + case_token(CASE_ID, SECRET)


def receipt(**changes: object) -> CaseReceipt:
    values: dict[str, object] = dict(
        case_id=CASE_ID, local_ref="K01-20260105-003", submitted_at=MONDAY_10,
        masked_name="张*", bundle=Names("企业招用员工一件事", "Hiring an employee"),
        items=(Names("就业登记", "Employment registration"),
               Names("社会保险参保登记", "Social insurance enrolment")),
        received=(ReceivedLine(Names("居民身份证", "Resident ID card"), 2),
                  ReceivedLine(Names("营业执照", "Business licence"), 1)),
        owed=(OwedLine(Names("劳动合同", "Labour contract"), date(2026, 1, 12)),),
        promised_date=date(2026, 1, 6), delivery="locker", progress_url=URL, repeat_of=None)
    values.update(changes)
    return CaseReceipt(**values)  # type: ignore[arg-type]


def test_the_receipt_bytes_say_everything_once_in_gb18030() -> None:
    """Given a bundle case owing one material, when the receipt is rendered for the printer,
    then the bytes carry the reference, masked applicant, both items, each material with its
    pages, the owed material with its deadline, the promised date, the locker, and the QR as a
    native GS ( k symbol holding the progress URL."""
    hall = load_config(None).hall
    data = render_escpos(case_receipt(receipt(), hall, "zh"), PrinterProfile())
    for text in ("受理编号：K01-20260105-003", "申请人：张*", "一件事：企业招用员工一件事",
                 "事项：就业登记", "事项：社会保险参保登记", "· 居民身份证（2 页）",
                 "· 营业执照（1 页）", "一次性告知：尚需补交", "· 劳动合同，请于 2026-01-12 前补交",
                 "承诺办结日期：2026-01-06（工作日计算）", "取件方式：24小时文件柜领取",
                 "正式办件编号将由大厅生成"):
        assert text.encode("gb18030") in data, text
    assert b"\x1d(k" in data and URL.encode() in data
    assert "张三".encode("gb18030") not in data


def test_nothing_owed_is_said_and_a_repeat_is_named() -> None:
    """Given a case with everything received that the citizen confirmed as a repeat, when
    rendered, then it says nothing is owed and names the earlier case."""
    hall = load_config(None).hall
    data = render_escpos(case_receipt(receipt(owed=(), repeat_of="SB20260105-0007"), hall),
                         PrinterProfile())
    assert "材料已齐全，无需补交".encode("gb18030") in data
    assert "前次：SB20260105-0007".encode("gb18030") in data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_receipt_png_qr_decodes_to_the_case(lang: str) -> None:
    """Given the receipt in {lang}, when drawn as paper, then the QR decodes to the progress URL
    and its token verifies to the case id with the hall secret."""
    hall = load_config(None).hall
    image = render_png(case_receipt(receipt(), hall, lang), PrinterProfile())
    assert isinstance(image, Image.Image) and image.width == 576
    [symbol] = decode(image)
    url = symbol.data.decode()
    assert url == URL
    assert case_from_token(url.rsplit("/", 1)[1], SECRET) == CASE_ID


def test_the_english_receipt_is_english() -> None:
    """Given English, when rendered, then the fixed texts and catalogue names are English."""
    hall = load_config(None).hall
    text = case_receipt(receipt(), hall, "en").plain_text()
    assert "Reference: K01-20260105-003" in text
    assert "Bundle: Hiring an employee" in text
    assert "· Labour contract: hand in by 2026-01-12" in text
    assert "Delivery: Collect from the 24-hour locker" in text
    rest = text.replace("张*", "")  # the masked name is the card's own
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in rest)


def test_the_continue_slip_lists_what_was_photographed() -> None:
    """Given the camera failed after the ID card, when the slip is rendered, then it lists the
    ID card with its pages under 已拍摄 and the photo under 尚未拍摄."""
    hall = load_config(None).hall
    slip = continue_slip(hall, Names("申领社会保障卡"), [(Names("居民身份证"), 2)],
                         [Names("近期二寸免冠白底照片")], datetime(2026, 1, 5, 10, 0), "zh")
    text = slip.plain_text()
    assert "· 居民身份证（2 页）" in text and "· 近期二寸免冠白底照片" in text
    assert text.index("已拍摄材料") < text.index("居民身份证") < text.index("尚未拍摄")
