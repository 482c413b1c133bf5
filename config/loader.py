"""Load and validate the kiosk's configuration before anything else starts.

It lives beside the schema, below both ``kiosk`` and ``drivers``, so the technician's device
commands read the same validated site file as the app without importing the core.

A kiosk that starts half-configured fails in front of a citizen hours later; one that refuses to
start with "site.toml: devices.printer.baud: found 'fast' (string), expected an integer" is fixed
by the technician in a minute. So every key is checked here, against ``config.schema``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from config import schema
from config.schema import Config

CONFIG_DIR = Path(schema.__file__).resolve().parent
DEFAULTS_FILE = CONFIG_DIR / "defaults.toml"
ENV_VAR = "KIOSK_CONFIG"


class ConfigError(Exception):
    """A configuration file is unreadable or a key is wrong. Always names file and key."""

    def __init__(self, file: Path | str, key: str, found: str, expected: str) -> None:
        self.file, self.key, self.found, self.expected = str(file), key, found, expected
        where = f"{self.file}: {key}" if key else self.file
        super().__init__(f"{where}: found {found}, expected {expected}")


_TYPE_WORDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _describe(value: object) -> str:
    kind = {str: "string", bool: "boolean", int: "integer", float: "number", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)
    shown = repr(value) if not isinstance(value, dict) else "{…}"
    if len(shown) > 60:
        shown = shown[:57] + "…"
    return f"{shown} ({kind})"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(path, "", "no such file", "a readable TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"invalid TOML ({exc})", "valid TOML syntax") from None


def _merge(base: dict[str, Any], over: dict[str, Any], origin: dict[str, Path], file: Path,
           prefix: str = "") -> dict[str, Any]:
    """Deep-merge ``over`` into a copy of ``base``, remembering which file set each key."""
    out = dict(base)
    for key, value in over.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "settings":
            out[key] = _merge(out[key], value, origin, file, path + ".")
        elif isinstance(value, dict) and key == "settings" and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}  # device settings merge one level, key by key
            for sub in value:
                origin[f"{path}.{sub}"] = file
        else:
            out[key] = value
        origin[path] = file
    return out


def _coerce(value: object, typ: Any, key: str, origin: dict[str, Path]) -> object:
    file = _origin_of(key, origin)
    if dataclasses.is_dataclass(typ):
        if not isinstance(value, dict):
            raise ConfigError(file, key, _describe(value), "a table")
        return _build(typ, value, key, origin)
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(file, key, _describe(value), "a number")
        return float(value)
    if typ in (str, int, bool):
        if type(value) is not typ:
            raise ConfigError(file, key, _describe(value), _TYPE_WORDS[typ])
        choices = schema.CHOICES.get(key)
        if choices and value not in choices:
            raise ConfigError(file, key, _describe(value), "one of " + ", ".join(choices))
        return value
    origin_type = typing.get_origin(typ)
    if origin_type is list:
        (item,) = typing.get_args(typ)
        if not isinstance(value, list) or not all(type(v) is item for v in value):
            plural = _TYPE_WORDS[item].split(" ", 1)[1] + "s"
            raise ConfigError(file, key, _describe(value), f"a list of {plural}")
        return list(value)
    if origin_type is dict:
        if not isinstance(value, dict):
            raise ConfigError(file, key, _describe(value), "a table")
        return dict(value)
    raise TypeError(f"schema type {typ!r} at {key} is not supported")  # a bug in schema.py


def _origin_of(key: str, origin: dict[str, Path]) -> Path:
    while key:
        if key in origin:
            return origin[key]
        key = key.rpartition(".")[0]
    return DEFAULTS_FILE


def _build(cls: type, data: dict[str, Any], prefix: str, origin: dict[str, Path]) -> Any:
    hints = typing.get_type_hints(cls, vars(schema))
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            path = f"{prefix}.{key}" if prefix else key
            raise ConfigError(_origin_of(path, origin), path, "an unknown key",
                              "one of " + ", ".join(fields))
    kwargs: dict[str, object] = {}
    for name, fld in fields.items():
        path = f"{prefix}.{name}" if prefix else name
        if name not in data:
            no_default = (fld.default is dataclasses.MISSING
                          and fld.default_factory is dataclasses.MISSING)
            if no_default:
                raise ConfigError(_origin_of(prefix, origin), path, "nothing",
                                  f"this key to be set ({_TYPE_WORDS.get(hints[name], 'a table')})")
            continue
        typ = hints[name]
        if isinstance(typ, types.UnionType):
            typ = next(t for t in typing.get_args(typ) if t is not type(None))
        kwargs[name] = _coerce(data[name], typ, path, origin)
    return cls(**kwargs)


def load_config(site_file: str | Path | None = None) -> Config:
    """Defaults, then the site file (argument, else ``$KIOSK_CONFIG``), validated as a whole."""
    origin: dict[str, Path] = {}
    merged = _merge({}, _read_toml(DEFAULTS_FILE), origin, DEFAULTS_FILE)
    site = site_file or os.environ.get(ENV_VAR) or None
    if site:
        site_path = Path(site)
        merged = _merge(merged, _read_toml(site_path), origin, site_path)
    config: Config = _build(Config, merged, "", origin)
    _check_values(config, origin)
    return config


def _check_values(config: Config, origin: dict[str, Path]) -> None:
    """Rules a type cannot express."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(config.hall.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        key = "hall.timezone"
        raise ConfigError(_origin_of(key, origin), key, _describe(config.hall.timezone),
                          "an IANA time zone such as Asia/Shanghai") from None
    t = config.timeouts
    for key, value, low in (("timeouts.idle_seconds", t.idle_seconds, 10),
                            ("timeouts.idle_warning_seconds", t.idle_warning_seconds, 1),
                            ("timeouts.error_page_seconds", t.error_page_seconds, 1)):
        if value < low:
            raise ConfigError(_origin_of(key, origin), key, _describe(value),
                              f"at least {low}")
    if t.idle_warning_seconds >= t.idle_seconds:
        key = "timeouts.idle_warning_seconds"
        raise ConfigError(_origin_of(key, origin), key, _describe(t.idle_warning_seconds),
                          "fewer seconds than timeouts.idle_seconds")
    if t.elder_factor < 1.0:
        key = "timeouts.elder_factor"
        raise ConfigError(_origin_of(key, origin), key, _describe(t.elder_factor),
                          "a number of at least 1.0")
    for kind in ("idcard", "scanner", "camera", "printer", "locker"):
        dev = getattr(config.devices, kind)
        _check_settings(kind, dev.settings, origin)
        if dev.baud not in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400):
            key = f"devices.{kind}.baud"
            raise ConfigError(_origin_of(key, origin), key, _describe(dev.baud),
                              "a standard baud rate such as 9600 or 115200")
        if dev.timeout <= 0:
            key = f"devices.{kind}.timeout"
            raise ConfigError(_origin_of(key, origin), key, _describe(dev.timeout),
                              "a positive number of seconds")


def data_dir(config: Config) -> Path:
    path = Path(config.kiosk.data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(config: Config) -> str:
    if config.kiosk.database:
        return config.kiosk.database
    return f"sqlite:///{(data_dir(config) / 'kiosk.sqlite3').resolve()}"


def _check_settings(kind: str, settings: dict[str, object], origin: dict[str, Path]) -> None:
    allowed = schema.SETTINGS[kind]
    for name, value in settings.items():
        key = f"devices.{kind}.settings.{name}"
        if name not in allowed:
            raise ConfigError(_origin_of(key, origin), key, "an unknown setting",
                              "one of " + ", ".join(allowed))
        want = allowed[name]
        types_ = want if isinstance(want, tuple) else (want,)
        ok = any(type(value) is t or (t is float and type(value) is int) for t in types_)
        if not ok:
            words = " or ".join(_TYPE_WORDS[t] for t in types_)
            raise ConfigError(_origin_of(key, origin), key, _describe(value), words)
        choices = schema.SETTING_CHOICES.get(f"{kind}.{name}")
        if choices and value not in choices:
            raise ConfigError(_origin_of(key, origin), key, _describe(value),
                              "one of " + ", ".join(str(c) for c in choices))
