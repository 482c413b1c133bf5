"""The service guide as paper: a slip the citizen takes home to prepare (办事指南清单).

Printed in the citizen's language from the same ``GuidePage`` the screen draws: the item, its
kind, short conditions, every material as a checklist line ("□ 居民身份证 原件 1份", 容缺 marked),
legal and promised time limits, fee, windows by name, hall hours for the item, how the result is
delivered, the 一件事 bundle, and a QR to the guide online (``config.hall.guide_url``/<item id>).
Builds data only; rendering to ESC/POS and PNG is the printer package's job. Nothing personal is
ever on it: a guide is the same for everybody.
"""

from __future__ import annotations

from datetime import datetime

from config.schema import HallConfig
from drivers.printer.layout import Align, Receipt
from kiosk.flows.guide_page import GuidePage
from kiosk.i18n import Names, tr

SHORT_CONDITIONS = 2  # the slip keeps the first conditions; the QR leads to all of them


def guide_url(hall: HallConfig, item_id: str) -> str:
    return f"{hall.guide_url.rstrip('/')}/{item_id}"


def guide_slip(page: GuidePage, hall: HallConfig, lang: str, printed_at: datetime) -> Receipt:
    """``page`` (already in ``lang``) as a slip; ``printed_at`` is hall-local time."""
    r = Receipt()
    r.text(Names(hall.name, hall.name_en).render(lang), bold=True, align=Align.CENTER)
    r.text(tr("办事指南 · 材料清单", lang), align=Align.CENTER)
    r.separator()
    r.text(page.title, size=2, bold=True)
    r.text(f"{page.kind} · {page.category}")
    if page.cross_region:
        r.text(page.cross_region)
    if page.conditions:
        r.separator()
        r.text(tr("办理条件", lang), bold=True)
        for line in page.conditions[:SHORT_CONDITIONS]:
            r.text(f"· {line}")
    r.separator()
    r.text(tr("请准备以下材料（逐项打勾）", lang), bold=True)
    for material in page.materials:
        r.text(material.checklist)
        if material.deferrable:
            r.text("  " + material.note)
    r.separator()
    r.text(tr("法定时限：{text}", lang, text=page.legal))
    r.text(tr("承诺时限：{text}", lang, text=page.promised))
    r.text(tr("收费：{text}", lang, text=page.fee))
    r.text(tr("办理窗口：{text}", lang, text=page.windows))
    r.text(tr("办理时间：{text}", lang, text=page.hours))
    r.text(tr("结果送达：{text}", lang, text=page.delivery))
    if page.bundle_note:
        r.separator()
        r.text(page.bundle_note, bold=True)
        for link in page.members or page.part_of:
            r.text(f"· {link.name}")
    r.separator()
    r.qr(guide_url(hall, page.item_id), caption=tr("扫码查看完整办事指南", lang))
    r.text(tr("打印时间：{time}", lang, time=printed_at.strftime("%Y-%m-%d %H:%M")),
           align=Align.CENTER)
    r.text(tr("本清单仅供参考，以窗口受理要求为准", lang), align=Align.CENTER)
    return r
