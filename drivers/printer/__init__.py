"""printer devices: see base.py for the interface.

python-escpos parses a 1 MB capability database on import and caches the result in a *new*
temporary folder each process unless told otherwise: half a second of every kiosk start and one
stray folder per run. Point its cache at one persistent folder before anything imports it.

A shared folder brings a race python-escpos does not guard against: it writes its pickle in
place, so a second process starting at the same moment (the kiosk and a technician's `kiosk`
command, or two test workers on a fresh machine) finds the file created but still empty and
dies with ``EOFError``. So the pickle is written here first, whole, to a private name and
renamed into place; python-escpos then only ever sees a complete file.
"""

import os
import pickle
import platform
from importlib.util import find_spec
from pathlib import Path

from config.cache import cache_dir, write_whole


def _capabilities_source() -> Path | None:
    """The capability database python-escpos will read, found without importing it."""
    chosen = os.environ.get("ESCPOS_CAPABILITIES_FILE")
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    spec = find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        return None
    source = Path(next(iter(spec.submodule_search_locations))) / "capabilities.json"
    return source if source.is_file() else None


def warm_capabilities(cache: Path) -> Path | None:
    """Make sure ``cache`` holds a complete, current capabilities pickle; return its path.

    Same name, content and staleness rule as python-escpos uses (pickle newer than the
    database), so it loads ours instead of writing its own. Safe to run from many processes
    at once: each writes its own temporary file and the rename is atomic.
    """
    source = _capabilities_source()
    if source is None:
        return None
    target = cache / f"{platform.python_version()}.capabilities.pickle"
    try:
        if target.stat().st_mtime >= source.stat().st_mtime and target.stat().st_size > 0:
            return target
    except FileNotFoundError:
        pass
    import yaml  # python-escpos reads the database with yaml; same parser, same result

    with source.open(encoding="utf-8") as handle:
        capabilities = yaml.safe_load(handle)
    if not capabilities:
        return None  # let python-escpos report its broken install in its own words
    write_whole(target, pickle.dumps(capabilities, protocol=2))
    return target


_cache = Path(os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR") or cache_dir())
try:
    _cache.mkdir(parents=True, exist_ok=True)
    warm_capabilities(_cache)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(_cache)
except OSError:  # read-only home: escpos falls back to its own temporary folder
    os.environ.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
