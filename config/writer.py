"""Change settings in the site file the way a power cut cannot break it.

The technician's changes at the kiosk (a port, a baud rate, a printer profile) are merged into
the site file's own table (defaults stay in ``defaults.toml``), validated by the same loader the
kiosk starts with — a bad value is refused with the loader's one line and nothing is written —
then written atomically: a temporary file in the same folder, flushed and fsynced, the current
file copied to ``<file>.bak`` the same way, ``os.replace`` over the site file, and the folder
fsynced. Killed at any instant (kill -9, power), the site file is the old one or the new one,
never a mix. Never logs a value (a token may live in the same file).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from config.loader import ConfigError, load_config, read_toml
from config.schema import Config

Step = Callable[[str], None]  # told each step's name as it is reached (tests kill there)
STEPS = ("read", "temp_written", "validated", "backup_written", "replaced", "done")


def _no_step(_name: str) -> None:
    pass


def merged(site: Mapping[str, Any], changes: Mapping[str, object]) -> dict[str, Any]:
    """``site`` with each dotted key of ``changes`` set (tables made as needed)."""
    out: dict[str, Any] = _copy(site)
    for dotted, value in changes.items():
        parts = dotted.split(".")
        table = out
        for part in parts[:-1]:
            nxt = table.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                table[part] = nxt
            table = nxt
        table[parts[-1]] = value
    return out


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, Mapping) else v for k, v in data.items()}


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def update_site_file(site_file: Path, changes: Mapping[str, object], *,
                     before_write: Callable[[Config], None] | None = None,
                     step: Step = _no_step) -> Config:
    """Apply ``changes`` (dotted keys) to ``site_file`` and return the validated configuration.
    Raises ``ConfigError`` naming the site file and key when the result would not load;
    ``before_write(config)`` may refuse too (by raising) before anything is replaced."""
    site_file = Path(site_file)
    folder = site_file.resolve().parent
    old_bytes = site_file.read_bytes() if site_file.exists() else None
    current = read_toml(site_file) if old_bytes is not None else {}
    step("read")
    new_bytes = tomli_w.dumps(merged(current, changes)).encode("utf-8")
    tmp = folder / f".{site_file.name}.{os.getpid()}.tmp"
    try:
        _write_synced(tmp, new_bytes)
        step("temp_written")
        try:
            config = load_config(tmp)
        except ConfigError as exc:
            file = site_file if Path(exc.file) == tmp else exc.file
            raise ConfigError(file, exc.key, exc.found, exc.expected) from None
        step("validated")
        if before_write is not None:
            before_write(config)
        if old_bytes is not None:
            bak_tmp = folder / f".{site_file.name}.bak.{os.getpid()}.tmp"
            _write_synced(bak_tmp, old_bytes)
            os.replace(bak_tmp, site_file.with_name(site_file.name + ".bak"))
            step("backup_written")
        os.replace(tmp, site_file)
        step("replaced")
        _sync_dir(folder)
    finally:
        tmp.unlink(missing_ok=True)
    step("done")
    return config


def parses(path: Path) -> bool:
    """Whether ``path`` is whole TOML (what a kill mid-write must never break)."""
    try:
        tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return True
