"""One validation mechanism for every file a technician edits: pydantic models, one-line errors.

Configuration, catalogue and driver settings are all pydantic v2 dataclasses made with ``model``
(strict scalar types, unknown keys refused, no nan/inf). When a model refuses its input, ``problem``
turns pydantic's error into the three parts a technician needs — the key path
(``devices.printer.baud``, ``items[3].kind``), what was found (``'fast' (string)``) and what was
expected (``an integer``) — worded from the model's own annotations and bounds, so the message and
the rule can never disagree. Rules a type cannot express raise ``expected(...)`` from a validator.

This module must never read files, print, or show a value whose key it cannot name; it never sees
personal data (configuration holds none).
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, Union

import annotated_types
from pydantic import BeforeValidator, ConfigDict, Strict, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

# Pydantic dataclasses rather than BaseModel: callers (benchmarks, tests) derive variants of a
# loaded configuration with ``dataclasses.replace``, which re-validates. Schemas are built on
# first use (defer_build): at start only the whole Config's is, not one per nested class.
CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)
_KIOSK_ERROR = "kiosk_expected"
_UNSET = object()

T = TypeVar("T")

# Strict scalars: TOML has real types, so "2" is not 2 and true is not 1.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]  # an integer is accepted and becomes a float
Str = Annotated[str, Strict()]
Bool = Annotated[bool, Strict()]


def model(cls: type[T]) -> type[T]:
    """Make ``cls`` a validated, frozen section of a file (unknown keys refused)."""
    return pydantic_dataclass(frozen=True, config=CONFIG)(cls)


def keyword_model(cls: type[T]) -> type[T]:
    """``model`` whose fields are keyword-only, so required keys may follow optional ones and
    an "unknown key" error lists the keys in the order the file is written."""
    return pydantic_dataclass(frozen=True, config=CONFIG, kw_only=True)(cls)


def one_of(*values: object) -> Any:
    """``Literal[values]`` with exact types: ``true`` is not ``1`` and ``80.0`` is not ``80``."""
    kinds = {type(v) for v in values}

    def exact(value: object) -> object:
        if type(value) not in kinds:
            raise expected("one of " + ", ".join(str(v) for v in values))
        return value

    return Annotated[Literal[values], BeforeValidator(exact)]  # type: ignore[valid-type]


def validate(cls: type[T], data: object) -> T:
    """Build ``cls`` from plain data (a TOML table); raises pydantic's ``ValidationError``."""
    return _adapter(cls).validate_python(data)


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(cls: type) -> TypeAdapter[Any]:
    if cls not in _ADAPTERS:
        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


def fields(cls: type) -> dict[str, FieldInfo]:
    return dict(getattr(cls, "__pydantic_fields__", {}))


def narrowed(cls: type[T], base: type, validated: object) -> T:
    """``validated`` (an instance of ``base``, or of a model extending it) as a ``cls``, a
    model that extends ``base`` with methods only: the values passed ``base``'s checks when the
    file was loaded, so they are not checked again — and ``cls``'s schema, which pydantic builds
    on first use (~20 ms at start for the printer's profile), is never needed. Made the way
    pickle makes a dataclass."""
    if not isinstance(validated, base) or fields(cls).keys() != fields(base).keys():
        raise TypeError(f"{cls.__name__} is not {base.__name__} with methods only, or "
                        f"{type(validated).__name__} is not a {base.__name__}")
    made = object.__new__(cls)
    for name in fields(cls):
        object.__setattr__(made, name, getattr(validated, name))
    return made


class SettingsMapping(Mapping[str, object]):
    """A device's ``settings`` table: typed attributes, and read like the dict it used to be.

    A key whose value is ``None`` (an optional setting left out) is absent from the mapping, so
    ``"doors" in settings`` still means "the site set it"."""

    def _present(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if v is not None and not k.startswith("_")}

    def __getitem__(self, key: str) -> object:
        present = self._present()
        if key not in present:
            raise KeyError(key)
        return present[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._present())

    def __len__(self) -> int:
        return len(self._present())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._present()


def expected(text: str, *, field: str | None = None, found: object = _UNSET
             ) -> PydanticCustomError:
    """An error for a rule a type cannot express; ``field`` points a model-level rule at one
    key (a path below the model: ``"items[3].category"``), ``found`` names the culprit when it
    is not the whole value checked (one span of a list).

    Raise it from a validator: ``raise expected("fewer seconds than timeouts.idle_seconds")``."""
    ctx: dict[str, object] = {"expected": text}
    if field is not None:
        ctx["field"] = field
    if found is not _UNSET:
        ctx["found"] = found
    return PydanticCustomError(_KIOSK_ERROR, "expected {expected}", ctx)


@dataclass(frozen=True)
class Problem:
    key: str  # "devices.printer.baud", "items[3].kind"; "" for the file as a whole
    found: str  # "'fast' (string)", "nothing", "an unknown key"
    expected: str  # "an integer", "one of zh, en"

    def line(self, file: str) -> str:
        where = f"{file}: {self.key}" if self.key else file
        return f"{where}: found {self.found}, expected {self.expected}"


def describe(value: object) -> str:
    """A found value as a technician reads it: ``'fast' (string)``, ``3 (integer)``."""
    kind = {str: "string", bool: "boolean", int: "integer", float: "number", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)
    shown = "{…}" if isinstance(value, dict) else repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "…"
    return f"{shown} ({kind})"


def problem(exc: ValidationError, root: type, prefix: str = "") -> Problem:
    """The first thing wrong in ``exc`` (raised validating ``model``), as one nameable problem."""
    error = exc.errors(include_url=False)[0]
    path, annotation, info, parent = _walk(root, error["loc"], prefix)
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == _KIOSK_ERROR:
        if "field" in ctx:
            field = str(ctx["field"])
            path = f"{path}{field}" if field.startswith("[") else _join(path, field)
        found = ctx["found"] if "found" in ctx else error["input"]
        return Problem(path, describe(found), str(ctx["expected"]))
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        unknown = "an unknown setting" if parent and issubclass(parent, SettingsMapping) else \
            "an unknown key"
        choices = ", ".join(fields(parent)) if parent else "no such key"
        return Problem(path, unknown, f"one of {choices}")
    if kind in ("missing", "missing_argument"):
        return Problem(path, "nothing", f"this key to be set ({words(annotation, info)})")
    return Problem(path, describe(error["input"]), words(annotation, info))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _walk(root: type, loc: tuple[int | str, ...], prefix: str
          ) -> tuple[str, Any, FieldInfo | None, type | None]:
    """Follow a pydantic error location through the annotations: key path, the annotation and
    field info found there, and the model that owns the last key."""
    path, annotation, info, parent = prefix, _strip(root), None, None
    for part in loc:
        annotation = _strip(annotation)
        if _is_model(annotation) and isinstance(part, str):
            parent = annotation
            fld = fields(annotation).get(part)
            path = _join(path, part)
            if fld is None:
                return path, None, None, parent
            annotation, info = fld.annotation, fld
        elif isinstance(part, int):
            path, annotation, info = f"{path}[{part}]", _item_type(annotation), None
        elif typing.get_origin(annotation) is dict:
            path, annotation, info = _join(path, part), typing.get_args(annotation)[1], None
        elif _is_union(annotation):
            continue  # pydantic names the union member it tried: not a key of the file
        else:
            path = _join(path, part)
    return path, annotation, info, parent


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and hasattr(annotation, "__pydantic_fields__")


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (Union, types.UnionType)


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(_strip(annotation))
    return args[0] if args else Any


_TYPE_WORDS: dict[Any, str] = {str: "a string", int: "an integer", float: "a number",
                               bool: "true or false"}


def words(annotation: Any, info: FieldInfo | None = None) -> str:
    """What a value must be, in the words of the error line: "an integer from 1 to 65535"."""
    metadata = list(info.metadata) if info else []
    while typing.get_origin(annotation) is Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata += extra
    if annotation is None:
        return "nothing"
    if _is_model(annotation):
        return "a table"
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(str(v) for v in typing.get_args(annotation))
    if _is_union(annotation):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(words(a) for a in members)
    if origin in (list, tuple):
        item = _strip(_item_type(annotation))
        if _is_model(item):
            return "a list of tables"
        return "a list of " + words(item).split(" ", 1)[1] + "s"
    if origin is dict:
        return "a table"
    base = _TYPE_WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))
    return base + _bounds(metadata)


def _bounds(metadata: list[Any]) -> str:
    low = high = None
    low_open = high_open = False
    flat: list[Any] = []
    for m in metadata:  # Field(...) inside Annotated keeps its bounds in its own metadata
        flat.extend(m.metadata if isinstance(m, FieldInfo) else [m])
    for m in flat:
        if isinstance(m, annotated_types.Ge):
            low = m.ge
        elif isinstance(m, annotated_types.Gt):
            low, low_open = m.gt, True
        elif isinstance(m, annotated_types.Le):
            high = m.le
        elif isinstance(m, annotated_types.Lt):
            high, high_open = m.lt, True
        elif isinstance(m, annotated_types.MinLen) and m.min_length == 1:
            return " that is not empty"
    parts = []
    if low is not None and high is not None and not low_open and not high_open:
        return f" from {_num(low)} to {_num(high)}"
    if low is not None:
        parts.append(f"{'more than' if low_open else 'at least'} {_num(low)}")
    if high is not None:
        parts.append(f"{'less than' if high_open else 'at most'} {_num(high)}")
    return (" " + " and ".join(parts)) if parts else ""


def _num(value: object) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)
