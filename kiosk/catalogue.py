"""The hall's service catalogue: categories, windows, service items and their opening hours.

Loaded from TOML (``config/catalogue.toml`` unless the site names its own) and validated as a whole;
a mistake names the file, the key, what was found and what was expected (``ConfigError``). It also
answers "which items start with the letter S" from pinyin initials, so a citizen can find an item
by tapping letters and never has to type Chinese. Pure data: never touches the database.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

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


# ---- loading and validation ----

class _Reader:
    """Typed access to one TOML table, raising ConfigError with the full key path."""

    def __init__(self, file: Path, key: str, data: object) -> None:
        if not isinstance(data, dict):
            raise ConfigError(file, key, _found(data), "a table")
        self.file, self.key, self.data = file, key, data

    def _path(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def get(self, name: str, kind: type, default: Any = ...) -> Any:
        if name not in self.data:
            if default is ...:
                raise ConfigError(self.file, self._path(name), "nothing", "this key to be set")
            return default
        value = self.data[name]
        ok = (isinstance(value, int | float) and not isinstance(value, bool) if kind is float
              else type(value) is kind)
        if not ok:
            raise ConfigError(self.file, self._path(name), _found(value), _WORDS[kind])
        return float(value) if kind is float else value

    def strings(self, name: str, default: Any = ...) -> tuple[str, ...]:
        value = self.get(name, list, default)
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(self.file, self._path(name), _found(value), "a list of strings")
        return tuple(value)

    def fail(self, name: str, found: object, expected: str) -> ConfigError:
        return ConfigError(self.file, self._path(name), _found(found), expected)


_WORDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
          list: "a list", dict: "a table"}


def _found(value: object) -> str:
    shown = "{…}" if isinstance(value, dict) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _schedule(file: Path, name: str, data: object) -> Schedule:
    r = _Reader(file, f"schedules.{name}", data)
    for key in r.data:
        if key not in WEEKDAYS:
            raise r.fail(key, "an unknown key", "a weekday: " + ", ".join(WEEKDAYS))
    days: list[tuple[tuple[time, time], ...]] = []
    for day in WEEKDAYS:
        spans = []
        for text in r.strings(day, []):
            m = _SPAN.match(text)
            if not m or (m[1], m[2]) >= (m[3], m[4]) or (m[3] == "24" and m[4] != "00"):
                raise r.fail(day, text, "spans like \"09:00-12:00\" (opening before closing)")
            # "24:00" closes at the end of the day (24-hour self-service areas)
            close = time.max if m[3] == "24" else time(int(m[3]), int(m[4]))
            spans.append((time(int(m[1]), int(m[2])), close))
        days.append(tuple(sorted(spans)))
    return Schedule(name, tuple(days))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate the catalogue; ``None`` or "" means the shipped example."""
    file = Path(path) if path else DEFAULT_CATALOGUE
    try:
        with file.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(file, "", "no such file", "a readable TOML catalogue") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "", f"invalid TOML ({exc})", "valid TOML syntax") from None
    top = _Reader(file, "", raw)
    for key in raw:
        if key not in ("appointments", "schedules", "categories", "windows", "items"):
            raise top.fail(key, "an unknown key",
                           "one of appointments, schedules, categories, windows, items")
    appt = _Reader(file, "appointments", raw.get("appointments", {}))
    rules = AppointmentRules(appt.get("check_in_early_minutes", int, 30),
                             appt.get("check_in_late_minutes", int, 15))
    schedules = {n: _schedule(file, n, d) for n, d in top.get("schedules", dict).items()}

    categories: dict[str, Category] = {}
    for n, data in enumerate(top.get("categories", list)):
        r = _Reader(file, f"categories[{n}]", data)
        cat = Category(r.get("code", str), r.get("name", str), r.get("name_en", str),
                       r.get("prefix", str), r.get("per_person_daily_limit", int, 0))
        if not re.fullmatch(r"[A-Z]{1,2}", cat.prefix):
            raise r.fail("prefix", cat.prefix, "one or two capital letters such as \"A\"")
        if cat.code in categories or cat.prefix in {c.prefix for c in categories.values()}:
            raise r.fail("code", cat.code, "a code and prefix used by no other category")
        categories[cat.code] = cat

    windows: dict[str, Window] = {}
    for n, data in enumerate(top.get("windows", list)):
        r = _Reader(file, f"windows[{n}]", data)
        win = Window(r.get("id", str), r.get("name", str), r.get("name_en", str),
                     r.get("category", str), r.get("kind", str, "comprehensive"))
        if win.category not in categories:
            raise r.fail("category", win.category, "one of " + ", ".join(categories))
        if win.id in windows:
            raise r.fail("id", win.id, "a window id used only once")
        windows[win.id] = win
    categories = {c: dataclasses.replace(cat, windows=tuple(
        w.id for w in windows.values() if w.category == c)) for c, cat in categories.items()}

    items: dict[str, ServiceItem] = {}
    for n, data in enumerate(top.get("items", list)):
        item = _item(file, n, data, categories, windows, schedules)
        if item.id in items:
            raise _Reader(file, f"items[{n}]", data).fail("id", item.id, "an id used only once")
        items[item.id] = item
    for n, item in enumerate(items.values()):
        for member in item.bundle:
            if member not in items:
                raise ConfigError(file, f"items[{n}].bundle", _found(member),
                                  "ids of items in this catalogue")
    parts = {i.id: tuple(b.id for b in items.values() if i.id in b.bundle) for i in items.values()}
    final = tuple(dataclasses.replace(i, part_of=parts[i.id]) for i in items.values())
    return Catalogue(str(file), tuple(categories.values()), tuple(windows.values()), final, rules)


def _item(file: Path, n: int, data: object, categories: dict[str, Category],
          windows: dict[str, Window], schedules: dict[str, Schedule]) -> ServiceItem:
    r = _Reader(file, f"items[{n}]", data)
    category = r.get("category", str)
    if category not in categories:
        raise r.fail("category", category, "one of " + ", ".join(categories))
    kind = r.get("kind", str)
    if kind not in ("instant", "committed"):
        raise r.fail("kind", kind, "\"instant\" (即办件) or \"committed\" (承诺件)")
    promised = r.get("promised_days", int, 0)
    if kind == "committed" and promised < 1:
        raise r.fail("promised_days", promised, "at least 1 working day for a committed item")
    own = r.strings("windows", ())
    for w in own:
        if w not in windows or windows[w].category != category:
            raise r.fail("windows", w, f"windows of category {category}")
    schedule_name = r.get("schedule", str)
    if schedule_name not in schedules:
        raise r.fail("schedule", schedule_name, "one of " + ", ".join(schedules))
    materials = []
    for m, mat in enumerate(r.get("materials", list, [])):
        mr = _Reader(file, f"items[{n}].materials[{m}]", mat)
        materials.append(Material(mr.get("name", str), mr.get("name_en", str, ""),
                                  mr.get("required", bool, True), mr.get("copies", int, 1)))
    minutes = r.get("average_minutes", float)
    if minutes <= 0:
        raise r.fail("average_minutes", minutes, "a positive number of minutes")
    return ServiceItem(
        id=r.get("id", str), name=r.get("name", str), name_en=r.get("name_en", str),
        category=category, department=r.get("department", str, ""), instant=kind == "instant",
        promised_days=promised, legal_days=r.get("legal_days", int, 0),
        fee_yuan=r.get("fee", float, 0.0), conditions=r.strings("conditions", ()),
        materials=tuple(materials), windows=own or _counter_windows(categories[category], windows),
        schedule=schedules[schedule_name], daily_capacity=r.get("daily_capacity", int, 0),
        per_person_daily_limit=r.get("per_person_daily_limit", int, 0),
        average_minutes=minutes, cross_region=r.get("cross_region", bool, False),
        bundle=r.strings("bundle", ()))


def _counter_windows(category: Category, windows: dict[str, Window]) -> tuple[str, ...]:
    """By default an item is served at every comprehensive window of its category (一窗通办)."""
    comprehensive = tuple(w for w in category.windows if windows[w].kind == "comprehensive")
    return comprehensive or category.windows


def weekday_zh(day: date) -> str:
    return "周" + "一二三四五六日"[day.weekday()]
