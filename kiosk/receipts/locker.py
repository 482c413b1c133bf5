"""Locker slips: what was picked up or dropped off, where and when, in the citizen's language.

Builds data only (``drivers.printer.layout.Receipt``). Prints the compartment, the case number
(or service item) and the masked name at most: never a pickup code, an ID number or a clear name.
"""

from __future__ import annotations

from datetime import datetime

from drivers.printer.layout import Align, Receipt
from kiosk.i18n import Names, tr


def _head(hall: tuple[str, str], title: str, lang: str) -> Receipt:
    r = Receipt()
    r.text(Names(*hall).render(lang), bold=True, align=Align.CENTER)
    r.separator()
    r.text(tr(title, lang), size=2, bold=True, align=Align.CENTER)
    return r


def pickup_receipt(hall: tuple[str, str], compartment: int, case_label: str, at: datetime,
                   lang: str = "zh") -> Receipt:
    r = _head(hall, "取件凭条", lang)
    r.text(tr("柜门：{door} 号", lang, door=compartment))
    if case_label:
        r.text(tr("办件编号：{number}", lang, number=case_label))
    r.text(tr("取件时间：{time}", lang, time=at.strftime("%Y-%m-%d %H:%M")))
    r.separator()
    r.text(tr("请核对所取物品；如有疑问请联系服务台。", lang), align=Align.CENTER)
    return r


def dropoff_receipt(hall: tuple[str, str], compartment: int, case_label: str, masked_name: str,
                    at: datetime, lang: str = "zh") -> Receipt:
    r = _head(hall, "投递回执", lang)
    r.text(tr("柜门：{door} 号", lang, door=compartment))
    if case_label:
        r.text(tr("办件：{case}", lang, case=case_label))
    if masked_name:
        r.text(tr("投递人：{name}", lang, name=masked_name))
    r.text(tr("投递时间：{time}", lang, time=at.strftime("%Y-%m-%d %H:%M")))
    r.separator()
    r.text(tr("材料已存入文件柜，工作人员上班后处理。请保留本回执。", lang), align=Align.CENTER)
    return r
