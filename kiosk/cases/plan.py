"""What a submission asks for: the items filed, and each material once (一件事一次办).

A plain item files itself. A bundle (``ServiceItem.bundle``, e.g. 企业招用员工一件事) files
every item it names as ONE application: one identification, the union of the bundle's own
materials and its items' materials, where a material two items need (equal ``Material.id``) is
asked for — and photographed — once, required if any item requires it. The promised completion
date counts working days in the hall's calendar (weekends, holidays and make-up days from
``[calendar]``). Pure data over the catalogue: never touches the database, the clock or Kivy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.catalogue import Catalogue, ServiceItem
from kiosk.workdays import HallCalendar

# A self-service submission is reviewed by staff, so even an instant item (即办件, 0 promised
# days at the window) is promised for the next working day when it is filed at the kiosk.
MIN_PROMISED_DAYS = 1


@dataclass(frozen=True)
class MaterialRequest:
    """One material the citizen is asked for, once, whichever items need it."""

    id: str
    name: str
    name_en: str
    required: bool  # False: may follow later under a written commitment (容缺)
    pages: int  # pages one copy has: the photographs expected
    original: bool
    items: tuple[str, ...]  # the items (ids) that need it


@dataclass(frozen=True)
class SubmissionPlan:
    item: ServiceItem  # what the citizen chose: the bundle itself or a plain item
    items: tuple[ServiceItem, ...]  # what is filed: the bundle's items, or the item alone
    materials: tuple[MaterialRequest, ...]

    @property
    def bundle_id(self) -> str | None:
        return self.item.id if self.item.is_bundle else None

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def material(self, material_id: str) -> MaterialRequest:
        return next(m for m in self.materials if m.id == material_id)

    @property
    def promised_days(self) -> int:
        """The slowest item decides when the whole application is done."""
        return max([MIN_PROMISED_DAYS, *(i.promised_days for i in self.items),
                    self.item.promised_days])

    def promised_date(self, submitted: date, calendar: HallCalendar) -> date:
        return calendar.add_working_days(submitted, self.promised_days)


def plan_for(catalogue: Catalogue, item_id: str) -> SubmissionPlan:
    """The plan for ``item_id``; raises ``KeyError`` for an item (or bundle part) not in the
    catalogue."""
    item = catalogue.item(item_id)
    parts = tuple(catalogue.item(i) for i in item.bundle) if item.is_bundle else (item,)
    sources = (item, *parts) if item.is_bundle else (item,)
    merged: dict[str, MaterialRequest] = {}
    for source in sources:
        for m in source.materials:
            known = merged.get(m.id)
            if known is None:
                merged[m.id] = MaterialRequest(m.id, m.name, m.name_en, m.required, m.pages,
                                               m.original, (source.id,))
            else:
                merged[m.id] = MaterialRequest(
                    known.id, known.name, known.name_en, known.required or m.required,
                    max(known.pages, m.pages), known.original or m.original,
                    known.items if source.id in known.items else (*known.items, source.id))
    # required first (photographed first), then in catalogue order
    ordered = sorted(merged.values(), key=lambda r: not r.required)
    return SubmissionPlan(item, parts, tuple(ordered))
