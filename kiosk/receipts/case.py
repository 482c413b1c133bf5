"""The submission receipt (申报回执) as paper, and the slip for continuing at a window.

The receipt: hall, the kiosk's reference with a note that the official case number follows, the
applicant (masked), the item(s) — every item of a bundle —, the materials received with their
page counts, **everything still owed with its deadline in one list (一次性告知)**, the promised
completion date, the delivery choice, and a QR opening the case's progress page. The slip (camera
failed mid-way) lists what was photographed so a clerk can carry on. Printed in the citizen's
language (msgids through ``kiosk.i18n.tr``). Builds data only; rendering to ESC/POS and PNG is
the printer package's. Never prints a clear name or ID number.
"""

from __future__ import annotations

from datetime import datetime

from config.schema import HallConfig
from drivers.printer.layout import Align, Receipt
from kiosk.cases.model import DELIVERY_LABELS, CaseReceipt
from kiosk.i18n import Msg, Names, tr


def case_receipt(case: CaseReceipt, hall: HallConfig, lang: str = "zh") -> Receipt:
    r = Receipt()
    r.text(Names(hall.name, hall.name_en).render(lang), bold=True, align=Align.CENTER)
    r.text(tr("自助申报回执", lang), size=2, bold=True, align=Align.CENTER)
    r.separator()
    r.text(tr("受理编号：{ref}", lang, ref=case.local_ref), bold=True)
    r.text(tr("正式办件编号将由大厅生成，可扫码查询", lang))
    r.text(tr("申请人：{name}", lang, name=case.masked_name))
    if case.bundle is not None:
        r.text(tr("一件事：{bundle}", lang, bundle=case.bundle), bold=True)
    for item in case.items:
        r.text(tr("事项：{item}", lang, item=item))
    r.text(tr("提交时间：{time}", lang, time=f"{case.submitted_at:%Y-%m-%d %H:%M}"))
    r.separator()
    r.text(tr("已收材料", lang), bold=True)
    if case.received:
        for line in case.received:
            r.text(tr("· {material}（{pages} 页）", lang, material=line.name, pages=line.pages))
    else:
        r.text(tr("（无）", lang))
    r.separator()
    r.text(tr("一次性告知：尚需补交", lang), bold=True)
    if case.owed:
        for owed in case.owed:
            r.text(tr("· {material}，请于 {date} 前补交", lang, material=owed.name,
                      date=owed.due.isoformat()))
    else:
        r.text(tr("材料已齐全，无需补交", lang))
    r.separator()
    r.text(tr("承诺办结日期：{date}（工作日计算）", lang, date=case.promised_date.isoformat()),
           bold=True)
    r.text(tr("取件方式：{delivery}", lang, delivery=Msg(DELIVERY_LABELS[case.delivery])))
    if case.repeat_of:
        r.text(tr("您已确认重复申报（前次：{number}）", lang, number=case.repeat_of))
    r.separator()
    r.qr(case.progress_url, caption=tr("扫码查询办理进度", lang))
    r.text(tr("请妥善保管本回执", lang), align=Align.CENTER)
    return r


def continue_slip(hall: HallConfig, item: Names, captured: list[tuple[Names, int]],
                  missing: list[Names], at: datetime, lang: str = "zh") -> Receipt:
    """What was photographed before the camera failed, for the window to carry on."""
    r = Receipt()
    r.text(Names(hall.name, hall.name_en).render(lang), bold=True, align=Align.CENTER)
    r.text(tr("请到窗口继续办理", lang), size=2, bold=True, align=Align.CENTER)
    r.separator()
    r.text(tr("事项：{item}", lang, item=item))
    r.text(tr("时间：{time}", lang, time=f"{at:%Y-%m-%d %H:%M}"))
    r.text(tr("已拍摄材料", lang), bold=True)
    if captured:
        for name, pages in captured:
            r.text(tr("· {material}（{pages} 页）", lang, material=name, pages=pages))
    else:
        r.text(tr("（无）", lang))
    r.text(tr("尚未拍摄", lang), bold=True)
    for name in missing:
        r.text(tr("· {material}", lang, material=name))
    r.separator()
    r.text(tr("自助机摄像头故障，本次申报未提交。请携带以上材料到窗口办理。", lang))
    return r
