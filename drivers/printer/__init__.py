"""printer devices: see base.py for the interface.

python-escpos parses a 1 MB YAML capability database on import and caches the result in a
*new* temporary folder each process unless told otherwise: half a second of every kiosk start
and one stray folder per run. Point its cache at one persistent folder before anything imports it.
"""

import os
from pathlib import Path

if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zhengwu-kiosk"
    try:
        _cache.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(_cache)
    except OSError:  # read-only home: escpos falls back to its temporary folder
        pass
