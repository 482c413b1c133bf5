"""One service item's guide (办事指南) as words in one language: what the page and the slip show.

``guide_page(item, catalogue, lang)`` turns catalogue data into the finished texts of every
section — conditions, materials (original or copy, copies, pages, 容缺), legal and promised time
limits, fee, windows by name, department, hours, how the result is delivered, and the 一件事
bundle the item is or belongs to — so the screen and the printed slip say exactly the same thing
and neither decides anything. Pure: no Kivy, no database, no printer, and nothing about the
citizen (a guide is the same for everybody).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from kiosk.catalogue import Catalogue, Schedule, ServiceItem
from kiosk.i18n import N_, WEEKDAYS, Msg, Names, tr

DELIVERY_NAMES: dict[str, str] = {  # msgids, in the catalogue's delivery vocabulary
    "window": N_("窗口领取"),
    "locker": N_("24小时文件柜自助领取"),
    "post": N_("邮寄送达"),
}
CHECKBOX = "□"
ORIGINAL, COPY = N_("原件"), N_("复印件")


@dataclass(frozen=True)
class MaterialLine:
    """One material: what to bring and in what form; ``deferrable`` is 容缺 (may follow later)."""

    id: str
    name: str
    form: str  # "原件 1份 · 每份2页"
    deferrable: bool
    note: str  # the 容缺 sentence, or ""

    @property
    def checklist(self) -> str:
        """"□ 居民身份证 原件 1份": a line the citizen ticks off at home."""
        return f"{CHECKBOX} {self.name} {self.form}"


@dataclass(frozen=True)
class ItemLink:
    """Another item the page points to (a bundle's member, or the bundle an item is part of)."""

    id: str
    name: str


@dataclass(frozen=True)
class GuidePage:
    item_id: str
    title: str
    kind: str  # 即办件 / 承诺件
    category: str
    conditions: tuple[str, ...]
    materials: tuple[MaterialLine, ...]
    legal: str
    promised: str
    fee: str
    windows: str
    department: str
    hours: str
    delivery: str
    cross_region: str  # "" unless accepted here for another region's authority
    members: tuple[ItemLink, ...]  # when the item is a 一件事 bundle: the items it files
    part_of: tuple[ItemLink, ...]  # the bundles this item can also be filed in
    bundle_note: str  # the sentence heading ``members`` / ``part_of``

    @property
    def is_bundle(self) -> bool:
        return bool(self.members)


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _days(n: int, lang: str) -> str:
    if n == 1:  # English says "1 working day"; the catalogue has no plural forms
        return tr("1个工作日", lang)
    return tr("{n}个工作日", lang, n=n)


def fee_text(fee_yuan: float, lang: str) -> str:
    if fee_yuan <= 0:
        return tr("不收费", lang)
    amount = f"{fee_yuan:.0f}" if fee_yuan == int(fee_yuan) else f"{fee_yuan:.2f}"
    return tr("{amount}元", lang, amount=amount)


def hours_text(schedule: Schedule, lang: str) -> str:
    """"周一至周五 09:00-12:00、13:30-17:00；周六 09:00-12:00": days with the same hours
    joined into one run."""
    groups: list[tuple[int, int, str]] = []
    for day, spans in enumerate(schedule.hours):
        if not spans:
            continue
        text = _sep(lang).join(f"{a:%H:%M}-{'24:00' if b == time.max else f'{b:%H:%M}'}"
                               for a, b in spans)
        if groups and groups[-1][2] == text and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, text)
        else:
            groups.append((day, day, text))
    if not groups:
        return tr("暂不对外办理", lang)
    parts = []
    for first, last, text in groups:
        days = (tr(WEEKDAYS[first], lang) if first == last else
                tr("{first}至{last}", lang, first=Msg(WEEKDAYS[first]), last=Msg(WEEKDAYS[last])))
        parts.append(f"{days} {text}")
    return ("；" if lang == "zh" else "; ").join(parts)


def material_line(material_name: Names, mid: str, original: bool, copies: int, pages: int,
                  required: bool, lang: str) -> MaterialLine:
    form = tr("{form} {n}份", lang, form=Msg(ORIGINAL if original else COPY), n=copies)
    if pages > 1:
        form += " · " + tr("每份{n}页", lang, n=pages)
    note = "" if required else tr("可容缺：可先受理，承诺后补交", lang)
    return MaterialLine(mid, material_name.render(lang), form, not required, note)


def guide_page(item: ServiceItem, catalogue: Catalogue, lang: str) -> GuidePage:
    """Every section of ``item``'s guide in ``lang``; unknown window or bundle ids are skipped
    (the catalogue's validation already refuses them)."""
    english = lang != "zh" and bool(item.conditions_en)
    conditions = item.conditions_en if english else item.conditions
    materials = tuple(material_line(Names(m.name, m.name_en), m.id, m.original, m.copies,
                                    m.pages, m.required, lang) for m in item.materials)
    if item.instant:
        kind, promised = tr("即办件", lang), tr("即办：资料齐全当场办结", lang)
    else:
        kind, promised = tr("承诺件", lang), _days(item.promised_days, lang)
    legal = _days(item.legal_days, lang) if item.legal_days else tr("当场办结", lang)
    known = {w.id: w for w in catalogue.windows}
    windows = _sep(lang).join(Names(known[w].name, known[w].name_en).render(lang)
                              for w in item.windows if w in known)
    items = {i.id: i for i in catalogue.items}
    members = tuple(ItemLink(i, Names(items[i].name, items[i].name_en).render(lang))
                    for i in item.bundle if i in items)
    part_of = tuple(ItemLink(i, Names(items[i].name, items[i].name_en).render(lang))
                    for i in item.part_of if i in items)
    if members:
        bundle_note = tr("本事项是“一件事”：一次申请、一套材料，同时办理以下事项", lang)
    elif part_of:
        bundle_note = tr("本事项也可在以下“一件事”中一并办理", lang)
    else:
        bundle_note = ""
    return GuidePage(
        item_id=item.id, title=Names(item.name, item.name_en).render(lang), kind=kind,
        category=next((Names(c.name, c.name_en).render(lang) for c in catalogue.categories
                       if c.code == item.category), ""),
        conditions=tuple(conditions), materials=materials, legal=legal, promised=promised,
        fee=fee_text(item.fee_yuan, lang), windows=windows,
        department=Names(item.department, item.department_en).render(lang),
        hours=hours_text(item.schedule, lang),
        delivery=_sep(lang).join(tr(DELIVERY_NAMES[d], lang) for d in item.delivery
                                 if d in DELIVERY_NAMES),
        cross_region=tr("跨省通办：本厅收件，由属地主管部门办理", lang) if item.cross_region
        else "",
        members=members, part_of=part_of, bundle_note=bundle_note)
