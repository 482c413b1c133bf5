"""The hall's service catalogue: categories, windows, service items and their opening hours.

Loaded from TOML (``config/catalogue.toml`` unless the site names its own) and validated as a whole
by the pydantic models of ``kiosk.catalogue_file`` (the mechanism the configuration uses); a
mistake names the file, the key, what was found and what was expected (``ConfigError``). It also
answers "which items start with the letter S" from pinyin initials, so a citizen can find an item
by tapping letters and never has to type Chinese. Pure data: never touches the database.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from config.loader import MAX_TOML_BYTES, read_toml
from config.remembered import Remembered
from config.validation import problem, validate
from kiosk.config import CONFIG_DIR, ConfigError

if TYPE_CHECKING:
    from kiosk.catalogue_file import ScheduleFile

DEFAULT_CATALOGUE = CONFIG_DIR / "catalogue.toml"
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


# How a result reaches the citizen: collected at a window, from the 24-hour locker, or by post.
DELIVERY_CHOICES: tuple[str, ...] = ("window", "locker", "post")


@dataclass(frozen=True)
class Material:
    name: str
    name_en: str
    required: bool  # False: may follow later under a written commitment (容缺受理)
    copies: int
    pages: int = 1  # pages one copy has: what the citizen photographs for a submission
    original: bool = False  # True: the original is shown at the window (原件); else a copy
    material_id: str = ""  # stable id across items; "" means the name is the id

    @property
    def id(self) -> str:
        """The same material in two items of a bundle has one id, so it is asked for once."""
        return self.material_id or self.name


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
    delivery: tuple[str, ...] = DELIVERY_CHOICES  # how the result may reach the citizen
    department_en: str = ""
    conditions_en: tuple[str, ...] = ()  # one per condition, same order; () when untranslated

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


# ---- loading: the file is validated by kiosk.catalogue_file, then turned into data ----

def _schedule(name: str, data: ScheduleFile) -> Schedule:
    from kiosk.catalogue_file import SPAN, WEEKDAYS

    days: list[tuple[tuple[time, time], ...]] = []
    for day in WEEKDAYS:
        spans = []
        for text in getattr(data, day):
            m = SPAN.match(text)
            assert m is not None  # checked by _spans
            # "24:00" closes at the end of the day (24-hour self-service areas)
            close = time.max if m[3] == "24" else time(int(m[3]), int(m[4]))
            spans.append((time(int(m[1]), int(m[2])), close))
        days.append(tuple(sorted(spans)))
    return Schedule(name, tuple(days))


def load_catalogue(path: str | Path | None = None, *,
                   remember: Remembered | None = None) -> Catalogue:
    """Read and validate the catalogue; ``None`` or "" means the shipped example. Given
    ``remember``, the catalogue made at the last start is read back when neither the file nor
    the code that checks it changed (``config.remembered``): the models are then not imported."""
    file = Path(path) if path else DEFAULT_CATALOGUE
    if remember is not None:
        return remember.get_for_files(Catalogue, [file], MAX_TOML_BYTES,
                                      lambda: load_catalogue(file))
    from kiosk.catalogue_file import CatalogueFile  # the models: only when validating

    raw = read_toml(file, "a readable TOML catalogue")
    try:
        data = validate(CatalogueFile, raw)
    except ValidationError as exc:
        p = problem(exc, CatalogueFile)
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
        materials=tuple(Material(m.name, m.name_en, m.required, m.copies, m.pages, m.original,
                                 m.id) for m in i.materials),
        windows=tuple(i.windows) or _counter_windows(categories[i.category], windows),
        schedule=schedules[i.schedule], daily_capacity=i.daily_capacity,
        per_person_daily_limit=i.per_person_daily_limit, average_minutes=i.average_minutes,
        cross_region=i.cross_region, bundle=tuple(i.bundle), part_of=parts[i.id],
        delivery=tuple(i.delivery), department_en=i.department_en,
        conditions_en=tuple(i.conditions_en))
        for i in data.items)
    return Catalogue(str(file), tuple(categories.values()), tuple(windows.values()), items, rules)


def _counter_windows(category: Category, windows: dict[str, Window]) -> tuple[str, ...]:
    """By default an item is served at every comprehensive window of its category (一窗通办)."""
    comprehensive = tuple(w for w in category.windows if windows[w].kind == "comprehensive")
    return comprehensive or category.windows


def weekday_zh(day: date) -> str:
    return "周" + "一二三四五六日"[day.weekday()]
