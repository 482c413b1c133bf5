"""The catalogue file's shape, as pydantic models: types, ranges and cross-references.

``kiosk.catalogue.load_catalogue`` validates the TOML with ``CatalogueFile`` (the mechanism the
configuration uses, ``config.validation``) and turns the result into the frozen data the kiosk
reads. What one entry cannot know alone — codes used once, windows, schedules and bundle members
that resolve — is checked by ``CatalogueFile``'s root validator and reported at the entry's key.
Pure validation: never reads files, never builds the kiosk's data.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from config.validation import Bool, Float, Int, Str, expected, keyword_model, one_of

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")


def _spans(texts: list[str]) -> list[str]:
    for text in texts:
        m = SPAN.match(text)
        if not m or (m[1], m[2]) >= (m[3], m[4]) or (m[3] == "24" and m[4] != "00"):
            raise expected('spans like "09:00-12:00" (opening before closing)', found=text)
    return texts


Spans = Annotated[list[Str], AfterValidator(_spans)]
Text = Annotated[Str, Field(min_length=1)]
Count = Annotated[Int, Field(ge=0, le=100_000)]
Days = Annotated[Int, Field(ge=0, le=3650)]


def _prefix(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{1,2}", value):
        raise expected('one or two capital letters such as "A"')
    return value


@keyword_model
class AppointmentsFile:
    check_in_early_minutes: Annotated[Int, Field(ge=0, le=1440)] = 30
    check_in_late_minutes: Annotated[Int, Field(ge=0, le=1440)] = 15


@keyword_model
class ScheduleFile:
    mon: Spans = Field(default_factory=list)
    tue: Spans = Field(default_factory=list)
    wed: Spans = Field(default_factory=list)
    thu: Spans = Field(default_factory=list)
    fri: Spans = Field(default_factory=list)
    sat: Spans = Field(default_factory=list)
    sun: Spans = Field(default_factory=list)


@keyword_model
class CategoryFile:
    code: Text
    name: Text
    name_en: Text
    prefix: Annotated[Str, AfterValidator(_prefix)]
    per_person_daily_limit: Annotated[Int, Field(ge=0, le=1000)] = 0


@keyword_model
class WindowFile:
    id: Text
    name: Text
    name_en: Text
    category: Text
    kind: Text = "comprehensive"


@keyword_model
class MaterialFile:
    name: Text
    name_en: Str = ""
    required: Bool = True
    copies: Annotated[Int, Field(ge=1, le=100)] = 1
    pages: Annotated[Int, Field(ge=1, le=50)] = 1
    original: Bool = False
    id: Str = ""


@keyword_model
class ItemFile:
    id: Text
    name: Text
    name_en: Text
    category: Text
    department: Str = ""
    department_en: Str = ""
    kind: one_of("instant", "committed")  # type: ignore[valid-type]
    promised_days: Days = 0
    legal_days: Days = 0
    fee: Annotated[Float, Field(ge=0, le=1_000_000)] = 0.0
    conditions: list[Str] = Field(default_factory=list)
    conditions_en: list[Str] = Field(default_factory=list)  # [] or one per condition, in order
    materials: list[MaterialFile] = Field(default_factory=list)
    windows: list[Str] = Field(default_factory=list)
    schedule: Text
    daily_capacity: Count = 0
    per_person_daily_limit: Annotated[Int, Field(ge=0, le=1000)] = 0
    average_minutes: Annotated[Float, Field(gt=0, le=480)]
    cross_region: Bool = False
    bundle: list[Str] = Field(default_factory=list)
    delivery: list[one_of("window", "locker", "post")] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["window", "locker", "post"])


def _check_guide_fields(item: ItemFile, where: str) -> None:
    """What the service guide reads: English conditions line up, material ids and delivery
    choices are each named once per item."""
    if item.conditions_en and len(item.conditions_en) != len(item.conditions):
        raise expected(f"{len(item.conditions)} English lines, one per condition (or none)",
                       field=f"{where}.conditions_en", found=len(item.conditions_en))
    material_ids: set[str] = set()
    for m, material in enumerate(item.materials):
        mid = material.id or material.name
        if mid in material_ids:
            raise expected("a material id used once per item",
                           field=f"{where}.materials[{m}].id", found=mid)
        material_ids.add(mid)
    if not item.delivery:
        raise expected("at least one of window, locker, post", field=f"{where}.delivery",
                       found=list(item.delivery))
    if len(set(item.delivery)) != len(item.delivery):
        raise expected("each delivery choice once", field=f"{where}.delivery",
                       found=", ".join(item.delivery))


@keyword_model
class CatalogueFile:
    appointments: AppointmentsFile = Field(default_factory=AppointmentsFile)
    schedules: dict[Str, ScheduleFile]
    categories: list[CategoryFile]
    windows: list[WindowFile]
    items: list[ItemFile]

    @model_validator(mode="after")
    def _references(self) -> CatalogueFile:
        """What one entry cannot know alone: codes used once, references that resolve."""
        codes: set[str] = set()
        prefixes: set[str] = set()
        for n, cat in enumerate(self.categories):
            if cat.code in codes or cat.prefix in prefixes:
                raise expected("a code and prefix used by no other category",
                               field=f"categories[{n}].code", found=cat.code)
            codes.add(cat.code)
            prefixes.add(cat.prefix)
        category_list = "one of " + ", ".join(c.code for c in self.categories)
        window_category: dict[str, str] = {}
        for n, win in enumerate(self.windows):
            if win.category not in codes:
                raise expected(category_list, field=f"windows[{n}].category", found=win.category)
            if win.id in window_category:
                raise expected("a window id used only once", field=f"windows[{n}].id",
                               found=win.id)
            window_category[win.id] = win.category
        ids: set[str] = set()
        for n, item in enumerate(self.items):
            where = f"items[{n}]"
            if item.category not in codes:
                raise expected(category_list, field=f"{where}.category", found=item.category)
            if item.kind == "committed" and item.promised_days < 1:
                raise expected("at least 1 working day for a committed item",
                               field=f"{where}.promised_days", found=item.promised_days)
            for w in item.windows:
                if window_category.get(w) != item.category:
                    raise expected(f"windows of category {item.category}",
                                   field=f"{where}.windows", found=w)
            if item.schedule not in self.schedules:
                raise expected("one of " + ", ".join(self.schedules),
                               field=f"{where}.schedule", found=item.schedule)
            if item.id in ids:
                raise expected("an id used only once", field=f"{where}.id", found=item.id)
            _check_guide_fields(item, where)
            ids.add(item.id)
        for n, item in enumerate(self.items):
            for member in item.bundle:
                if member not in ids:
                    raise expected("ids of items in this catalogue", field=f"items[{n}].bundle",
                                   found=member)
        return self
