"""The guide's words and its slip: every section of a page from the shipped catalogue, in Chinese
and in English (no Chinese left), and the slip as ESC/POS bytes and as a PNG whose QR decodes
back to the guide online."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from drivers.printer.escpos_render import render_escpos
from drivers.printer.preview import render_png
from drivers.printer.profile import PrinterProfile
from drivers.scanner.decode import decode_image
from kiosk.flows.guide_page import fee_text, guide_page, hours_text
from kiosk.receipts.guide import guide_slip, guide_url
from tests.core.conftest import SHANGHAI

PRINTED_AT = datetime(2026, 1, 5, 10, 30, tzinfo=SHANGHAI)


def _chinese(text: str) -> set[str]:
    return {ch for ch in text if "\u3400" <= ch <= "\u9fff"}


def test_a_committed_item_page_has_every_section(catalogue):
    """Given 不动产登记, then the page names its conditions, each material's form (original or
    copy, copies, pages) with the 容缺 one marked, the legal and promised limits, the 80 yuan
    fee, the windows by name, the department, the hours with Saturday and the delivery."""
    page = guide_page(catalogue.item("real-estate-registration"), catalogue, "zh")
    assert (page.title, page.kind, page.category) == ("不动产登记", "承诺件", "工程建设")
    assert page.conditions == ("权属清楚、界址清楚、面积准确",)
    lines = {m.id: m for m in page.materials}
    form = lines["real-estate-application-form"]
    assert form.checklist == "□ 不动产登记申请书 原件 1份 · 每份2页"
    assert lines["proof-of-title"].form == "复印件 1份 · 每份3页"
    survey = lines["boundary-survey"]
    assert survey.deferrable and survey.note == "可容缺：可先受理，承诺后补交"
    assert not lines["id-card"].deferrable and lines["id-card"].note == ""
    assert (page.legal, page.promised, page.fee) == ("30个工作日", "5个工作日", "80元")
    assert page.windows == "工程建设综合窗口1、工程建设综合窗口2"
    assert page.department == "不动产登记中心"
    assert page.hours == "周一至周五 09:00-12:00、13:30-17:00；周六 09:00-12:00"
    assert page.delivery == "窗口领取、24小时文件柜自助领取、邮寄送达"
    assert page.members == () and page.part_of == () and page.bundle_note == ""


def test_an_instant_cross_region_item_and_the_bank_window(catalogue):
    pension = guide_page(catalogue.item("pension-entitlement-check"), catalogue, "zh")
    assert pension.kind == "即办件" and pension.promised == "即办：资料齐全当场办结"
    assert pension.legal == "20个工作日" and pension.cross_region.startswith("跨省通办")
    assert pension.delivery == "窗口领取" and pension.fee == "不收费"
    land = guide_page(catalogue.item("land-premium-payment"), catalogue, "zh")
    assert land.windows == "不动产缴费窗口（银行）"
    assert land.hours == "周一至周五 09:00-11:30、14:00-16:30"


def test_english_pages_have_no_chinese_for_any_shipped_item(catalogue):
    """Given every item of the shipped catalogue, when its page is built in English, then not
    one Chinese character is left in any section (conditions and departments included)."""
    for item in catalogue.items:
        page = guide_page(item, catalogue, "en")
        texts = [page.title, page.kind, page.category, *page.conditions, page.legal,
                 page.promised, page.fee, page.windows, page.department, page.hours,
                 page.delivery, page.cross_region, page.bundle_note,
                 *(m.checklist + m.note for m in page.materials),
                 *(link.name for link in page.members + page.part_of)]
        assert _chinese(" ".join(texts)) == set(), item.id
    estate = guide_page(catalogue.item("real-estate-registration"), catalogue, "en")
    assert estate.hours == "Mon–Fri 09:00-12:00, 13:30-17:00; Sat 09:00-12:00"
    assert estate.fee == "80 yuan" and estate.legal == "30 working days"
    licence = guide_page(catalogue.item("business-licence"), catalogue, "en")
    assert licence.promised == "1 working day"
    assert guide_page(catalogue.item("business-licence"), catalogue, "zh").promised == "1个工作日"
    assert estate.materials[0].checklist == "□ Real estate registration form original ×1 · " \
                                            "2 pages each"


def test_fee_and_hours_in_words():
    assert fee_text(0, "zh") == "不收费"
    assert fee_text(12.5, "zh") == "12.50元"
    from kiosk.catalogue import Schedule

    assert hours_text(Schedule("none", tuple(() for _ in range(7))), "zh") == "暂不对外办理"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_slip_bytes_and_png(catalogue, config, lang):
    """Given the slip of 企业开办一件事, then the ESC/POS bytes start with ESC @, carry the
    checklist lines in GB18030, the bundle's items and a native QR of the guide's address;
    the PNG preview's QR decodes back to that address; the English slip has no Chinese."""
    item = catalogue.item("bundle-start-business")
    page = guide_page(item, catalogue, lang)
    slip = guide_slip(page, config.hall, lang, PRINTED_AT)
    text = slip.plain_text()
    url = guide_url(config.hall, item.id)
    assert url == "https://hall.example.gov.cn/guide/bundle-start-business"
    assert f"[QR {url}]" in text and "2026-01-05 10:30" in text
    for material in page.materials:
        assert material.checklist in text
    for member in page.members:
        assert member.name in text
    data = render_escpos(slip, PrinterProfile())
    assert data.startswith(b"\x1b@") and b"\x1d(k" in data and url.encode() in data
    if lang == "zh":
        assert "□ 公司章程 原件 1份 · 每份8页".encode("gb18030") in data
        assert "可容缺".encode("gb18030") in data
    else:
        assert _chinese(text) == set(), _chinese(text)
    image = render_png(slip, PrinterProfile()).convert("L")
    assert image.width == 576 and image.height > 1000
    codes = decode_image(np.asarray(image))
    assert url in [c.text for c in codes]
