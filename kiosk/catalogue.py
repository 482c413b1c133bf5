"""The hall's service catalogue: categories, windows, service items and their opening hours.

Loaded from TOML (``config/catalogue.toml`` unless the site names its own) and validated as a whole
by pydantic models (``config.validation``, the mechanism the configuration uses); a mistake names
the file, the key, what was found and what was expected (``ConfigError``). It also
answers "which items start with the letter S" from pinyin initials, so a citizen can find an item
by tapping letters and never has to type Chinese. Pure data: never touches the database.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationError, model_validator

from config.loader import read_toml
from config.validation import (
    Bool,
    Float,
    Int,
    Str,
    expected,
    keyword_model,
    one_of,
    problem,
    validate,
)
from kiosk.config import CONFIG_DIR, ConfigError

DEFAULT_CATALOGUE = CONFIG_DIR / "catalogue.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")
ALWAYS_OPEN = "always"


@dataclass(frozen=True)
class Schedule:
    """Opening hours: per weekday (0 = Monday) a sorted tuple of (open, close) local times."""

    name: str
    hours: tuple[tuple[tuple[time, time], ...], ...]

    def is_open(self, local: datetime) -> bool:
        now = local.timetz().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.hours[local.weekday()])

    def next_opening(self, local: datetime) -> datetime | None:
        """The first opening strictly after ``local`` within a week, or None if never open."""
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            for start, _end in self.hours[day.weekday()]:
                at = datetime.combine(day, start, tzinfo=local.tzinfo)
                if at > local:
                    return at
        return None


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    prefix: str
    per_person_daily_limit: int
    windows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Window:
    id: str
    name: str
    name_en: str
    category: str
    kind: str


@dataclass(frozen=True)
class Material:
    name: str
    name_en: str
    required: bool  # False: may follow later under a written commitment (容缺受理)
    copies: int


@dataclass(frozen=True)
class ServiceItem:
    id: str
    name: str
    name_en: str
    category: str
    department: str
    instant: bool  # 即办件; otherwise 承诺件 with promised_days
    promised_days: int
    legal_days: int
    fee_yuan: float
    conditions: tuple[str, ...]
    materials: tuple[Material, ...]
    windows: tuple[str, ...]
    schedule: Schedule
    daily_capacity: int  # 0: no limit
    per_person_daily_limit: int  # 0: no limit
    average_minutes: float
    cross_region: bool = False
    bundle: tuple[str, ...] = ()  # items this 一件事 bundle files together
    part_of: tuple[str, ...] = ()  # bundles this item belongs to

    @property
    def is_bundle(self) -> bool:
        return bool(self.bundle)


@dataclass(frozen=True)
class AppointmentRules:
    check_in_early_minutes: int = 30
    check_in_late_minutes: int = 15


@dataclass(frozen=True)
class Catalogue:
    source: str
    categories: tuple[Category, ...]
    windows: tuple[Window, ...]
    items: tuple[ServiceItem, ...]
    appointments: AppointmentRules = field(default_factory=AppointmentRules)

    @cached_property
    def _items(self) -> dict[str, ServiceItem]:
        return {i.id: i for i in self.items}

    def item(self, item_id: str) -> ServiceItem:
        """Raises KeyError for an unknown id."""
        return self._items[item_id]

    def category(self, code: str) -> Category:
        return next(c for c in self.categories if c.code == code)

    def window(self, window_id: str) -> Window:
        return next(w for w in self.windows if w.id == window_id)

    def items_in(self, category: str) -> tuple[ServiceItem, ...]:
        return tuple(i for i in self.items if i.category == category)

    def items_served_at(self, window_id: str) -> tuple[ServiceItem, ...]:
        return tuple(i for i in self.items if window_id in i.windows)

    def average_minutes(self, category: str) -> float:
        items = self.items_in(category)
        return sum(i.average_minutes for i in items) / len(items) if items else 10.0

    # ---- tap search: pinyin initials, so nobody types Chinese on the kiosk ----
    @cached_property
    def _initials(self) -> dict[str, str]:
        return {i.id: initials_of(i.name) for i in self.items}

    def warm_up(self) -> None:
        """Compute the pinyin initials now (call on a background thread after start-up)."""
        _ = self._initials

    def initials(self, category: str | None = None) -> list[str]:
        """Letters that start at least one item name (of ``category``), for the A–Z strip."""
        return sorted({self._initials[i.id][0] for i in self.items
                       if self._initials[i.id] and (category is None or i.category == category)})

    def items_by_initial(self, letter: str, category: str | None = None) -> list[ServiceItem]:
        return self.search_initials(letter[:1], category)

    def search_initials(self, prefix: str, category: str | None = None) -> list[ServiceItem]:
        """Items whose name's pinyin initials start with ``prefix`` ("SY" → 失业登记)."""
        prefix = prefix.upper()
        return [i for i in self.items if self._initials[i.id].startswith(prefix)
                and (category is None or i.category == category)]

    def without_limits(self) -> Catalogue:
        """The same hall, always open and without daily limits: for benchmarks and demos only."""
        always = Schedule(ALWAYS_OPEN, tuple(((time(0), time.max),) for _ in range(7)))
        items = tuple(dataclasses.replace(i, schedule=always, daily_capacity=0,
                                          per_person_daily_limit=0) for i in self.items)
        cats = tuple(dataclasses.replace(c, per_person_daily_limit=0) for c in self.categories)
        return dataclasses.replace(self, items=items, categories=cats)


def initials_of(name: str) -> str:
    """Uppercase pinyin initials of the Chinese characters (and ASCII letters) of ``name``."""
    # Imported here: pypinyin loads its phrase dictionary on import (~0.4 s), which the kiosk
    # pays in the background after start-up (``Catalogue.warm_up``), not before the first frame.
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(ch.upper() for part in letters for ch in part[:1] if ch.isascii()
                   and ch.isalpha())


# ---- loading and validation: the file's shape as models (config.validation), then data ----

def _spans(texts: list[str]) -> list[str]:
    for text in texts:
        m = _SPAN.match(text)
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
class _AppointmentsFile:
    check_in_early_minutes: Annotated[Int, Field(ge=0, le=1440)] = 30
    check_in_late_minutes: Annotated[Int, Field(ge=0, le=1440)] = 15


@keyword_model
class _ScheduleFile:
    mon: Spans = Field(default_factory=list)
    tue: Spans = Field(default_factory=list)
    wed: Spans = Field(default_factory=list)
    thu: Spans = Field(default_factory=list)
    fri: Spans = Field(default_factory=list)
    sat: Spans = Field(default_factory=list)
    sun: Spans = Field(default_factory=list)


@keyword_model
class _CategoryFile:
    code: Text
    name: Text
    name_en: Text
    prefix: Annotated[Str, AfterValidator(_prefix)]
    per_person_daily_limit: Annotated[Int, Field(ge=0, le=1000)] = 0


@keyword_model
class _WindowFile:
    id: Text
    name: Text
    name_en: Text
    category: Text
    kind: Text = "comprehensive"


@keyword_model
class _MaterialFile:
    name: Text
    name_en: Str = ""
    required: Bool = True
    copies: Annotated[Int, Field(ge=1, le=100)] = 1


@keyword_model
class _ItemFile:
    id: Text
    name: Text
    name_en: Text
    category: Text
    department: Str = ""
    kind: one_of("instant", "committed")  # type: ignore[valid-type]
    promised_days: Days = 0
    legal_days: Days = 0
    fee: Annotated[Float, Field(ge=0, le=1_000_000)] = 0.0
    conditions: list[Str] = Field(default_factory=list)
    materials: list[_MaterialFile] = Field(default_factory=list)
    windows: list[Str] = Field(default_factory=list)
    schedule: Text
    daily_capacity: Count = 0
    per_person_daily_limit: Annotated[Int, Field(ge=0, le=1000)] = 0
    average_minutes: Annotated[Float, Field(gt=0, le=480)]
    cross_region: Bool = False
    bundle: list[Str] = Field(default_factory=list)


@keyword_model
class _CatalogueFile:
    appointments: _AppointmentsFile = Field(default_factory=_AppointmentsFile)
    schedules: dict[Str, _ScheduleFile]
    categories: list[_CategoryFile]
    windows: list[_WindowFile]
    items: list[_ItemFile]

    @model_validator(mode="after")
    def _references(self) -> _CatalogueFile:
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
            ids.add(item.id)
        for n, item in enumerate(self.items):
            for member in item.bundle:
                if member not in ids:
                    raise expected("ids of items in this catalogue", field=f"items[{n}].bundle",
                                   found=member)
        return self


def _schedule(name: str, data: _ScheduleFile) -> Schedule:
    days: list[tuple[tuple[time, time], ...]] = []
    for day in WEEKDAYS:
        spans = []
        for text in getattr(data, day):
            m = _SPAN.match(text)
            assert m is not None  # checked by _spans
            # "24:00" closes at the end of the day (24-hour self-service areas)
            close = time.max if m[3] == "24" else time(int(m[3]), int(m[4]))
            spans.append((time(int(m[1]), int(m[2])), close))
        days.append(tuple(sorted(spans)))
    return Schedule(name, tuple(days))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate the catalogue; ``None`` or "" means the shipped example."""
    file = Path(path) if path else DEFAULT_CATALOGUE
    raw = read_toml(file, "a readable TOML catalogue")
    try:
        data = validate(_CatalogueFile, raw)
    except ValidationError as exc:
        p = problem(exc, _CatalogueFile)
        raise ConfigError(file, p.key, p.found, p.expected) from None
    rules = AppointmentRules(data.appointments.check_in_early_minutes,
                             data.appointments.check_in_late_minutes)
    schedules = {name: _schedule(name, s) for name, s in data.schedules.items()}
    windows = {w.id: Window(w.id, w.name, w.name_en, w.category, w.kind) for w in data.windows}
    categories = {c.code: Category(c.code, c.name, c.name_en, c.prefix, c.per_person_daily_limit,
                                   tuple(w.id for w in data.windows if w.category == c.code))
                  for c in data.categories}
    parts = {i.id: tuple(b.id for b in data.items if i.id in b.bundle) for i in data.items}
    items = tuple(ServiceItem(
        id=i.id, name=i.name, name_en=i.name_en, category=i.category, department=i.department,
        instant=i.kind == "instant", promised_days=i.promised_days, legal_days=i.legal_days,
        fee_yuan=i.fee, conditions=tuple(i.conditions),
        materials=tuple(Material(m.name, m.name_en, m.required, m.copies) for m in i.materials),
        windows=tuple(i.windows) or _counter_windows(categories[i.category], windows),
        schedule=schedules[i.schedule], daily_capacity=i.daily_capacity,
        per_person_daily_limit=i.per_person_daily_limit, average_minutes=i.average_minutes,
        cross_region=i.cross_region, bundle=tuple(i.bundle), part_of=parts[i.id])
        for i in data.items)
    return Catalogue(str(file), tuple(categories.values()), tuple(windows.values()), items, rules)


def _counter_windows(category: Category, windows: dict[str, Window]) -> tuple[str, ...]:
    """By default an item is served at every comprehensive window of its category (一窗通办)."""
    comprehensive = tuple(w for w in category.windows if windows[w].kind == "comprehensive")
    return comprehensive or category.windows


def weekday_zh(day: date) -> str:
    return "周" + "一二三四五六日"[day.weekday()]
