"""Load and validate the kiosk's configuration before anything else starts.

It lives beside the schema, below both ``kiosk`` and ``drivers``, so the technician's device
commands read the same validated site file as the app without importing the core.

A kiosk that starts half-configured fails in front of a citizen hours later; one that refuses to
start with "site.toml: devices.printer.baud: found 'fast' (string), expected an integer" is fixed
by the technician in a minute. So every key is checked here, against the models of
``config.schema`` (one validation mechanism: ``config.validation``). Never logs a value: the
error line is the only place a found value appears.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config import schema
from config.files import FileRefused, read_bounded, text_of
from config.remembered import Remembered
from config.schema import Config
from config.validation import describe, problem, validate

CONFIG_DIR = Path(schema.__file__).resolve().parent
DEFAULTS_FILE = CONFIG_DIR / "defaults.toml"
ENV_VAR = "KIOSK_CONFIG"


class ConfigError(Exception):
    """A configuration file is unreadable or a key is wrong. Always names file and key."""

    def __init__(self, file: Path | str, key: str, found: str, expected: str) -> None:
        self.file, self.key, self.found, self.expected = str(file), key, found, expected
        where = f"{self.file}: {key}" if key and self.file else key or self.file
        super().__init__(f"{where}: found {found}, expected {expected}")


def _describe(value: object) -> str:
    return describe(value)


# A site file or catalogue is tens of KiB; anything near this is the wrong file.
MAX_TOML_BYTES = 4 << 20


def read_toml(path: Path, what: str = "a readable TOML file") -> dict[str, Any]:
    """The parsed file, or a ConfigError naming it: missing, unreadable, a folder or special
    file, too large, not UTF-8 (UTF-16 and GBK named as such), bad syntax, nested too deeply."""
    try:
        text = text_of(path, read_bounded(path, MAX_TOML_BYTES, what), "a UTF-8 TOML file")
    except FileRefused as exc:
        raise ConfigError(path, "", exc.found, exc.expected) from None
    import tomllib  # here: a remembered start (config.remembered) parses no file

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"invalid TOML ({exc})", "valid TOML syntax") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively
        raise ConfigError(path, "", "arrays or tables nested too deeply",
                          "a TOML file nested a few levels at most") from None


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


def _origin_of(key: str, origin: dict[str, Path]) -> Path:
    while key:
        if key in origin:
            return origin[key]
        cut = max(key.rfind("."), key.rfind("["))
        key = key[:cut] if cut > 0 else ""
    return DEFAULTS_FILE


def load_config(site_file: str | Path | None = None, *,
                remember: Remembered | None = None) -> Config:
    """Defaults, then the site file (argument, else ``$KIOSK_CONFIG``), validated as a whole
    (or, given ``remember``, read back from the last start when neither the files nor the code
    that checks them changed: ``config.remembered``)."""
    site = site_file or os.environ.get(ENV_VAR) or None
    if remember is not None:
        files = [DEFAULTS_FILE, *([Path(site)] if site else [])]
        return remember.get_for_files(Config, files, MAX_TOML_BYTES, lambda: load_config(site))
    origin: dict[str, Path] = {}
    merged = _merge({}, read_toml(DEFAULTS_FILE), origin, DEFAULTS_FILE)
    if site:
        site_path = Path(site)
        merged = _merge(merged, read_toml(site_path), origin, site_path)
    try:
        return validate(Config, merged)
    except ValidationError as exc:
        p = problem(exc, Config)
        raise ConfigError(_origin_of(p.key, origin), p.key, p.found, p.expected) from None


def sync_token(config: Config) -> str:
    """This kiosk's token for the hall server: the file named by ``sync.token_file`` when set
    (it wins), else ``sync.token``. An unreadable or empty file is a ConfigError naming it."""
    sync = config.sync
    if not sync.token_file:
        return sync.token
    path = Path(sync.token_file)
    try:  # a regular file only: a FIFO would block the kiosk's start for ever
        token = text_of(path, read_bounded(path, 4096, "a readable file holding this kiosk's "
                                           "token"), "this kiosk's token as text").strip()
    except FileRefused as exc:
        found = ("a file that cannot be read (no such file)" if exc.found == "no such file"
                 else exc.found)
        raise ConfigError(path, "sync.token_file", found, exc.expected) from None
    if not token:
        raise ConfigError(path, "sync.token_file", "an empty file",
                          "a file holding this kiosk's token")
    if len(token.splitlines()) != 1:
        raise ConfigError(path, "sync.token_file", "several lines",
                          "one line: this kiosk's token from `kiosk hall kiosk add`")
    return token


def data_dir(config: Config) -> Path:
    """``kiosk.data_dir``, created if missing; a ConfigError when it is a file, cannot be made
    or is not writable (the kiosk would fail at its first ticket, in front of a citizen)."""
    path = Path(config.kiosk.data_dir)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:
        raise ConfigError("", "kiosk.data_dir", f"'{path}', which is a file",
                          "a folder the kiosk can write to") from None
    except NotADirectoryError:
        raise ConfigError("", "kiosk.data_dir",
                          f"'{path}', below a file", "a folder the kiosk can write to") from None
    except OSError as exc:
        raise ConfigError("", "kiosk.data_dir",
                          f"'{path}', which cannot be created ({exc.strerror})",
                          "a folder the kiosk can write to") from None
    if not path.is_dir():
        raise ConfigError("", "kiosk.data_dir", f"'{path}', which is a file",
                          "a folder the kiosk can write to")
    try:  # the kiosk's own folder holds the database, logs and the hall secret: its user only
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        pass  # not ours to change; the write probe below says whether it is usable
    try:  # a real write: root passes os.access on a read-only file system
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError("", "kiosk.data_dir", f"'{path}', read-only ({exc.strerror})",
                          "a folder the kiosk can write to") from None
    return path


def database_url(config: Config) -> str:
    if config.kiosk.database:
        return config.kiosk.database
    return f"sqlite:///{(data_dir(config) / 'kiosk.sqlite3').resolve()}"
