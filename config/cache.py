"""The kiosk user's cache folder, and files written into it whole.

Two things are kept there between starts: python-escpos's capability table
(``drivers.printer``) and the validated configuration and catalogue (``config.remembered``).
Both are read by processes that may start at the same moment (the kiosk and a technician's
``kiosk`` command, two test workers), so a file is never written in place: ``write_whole``
writes a private temporary file beside it and renames it over, and a reader sees the old file
or the new one, never half of one. Deleting the folder is always safe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/zhengwu-kiosk``, else ``~/.cache/zhengwu-kiosk``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zhengwu-kiosk"


def write_whole(target: Path, data: bytes) -> None:
    """``data`` as ``target``, replaced in one rename (OSError when it cannot be written; no
    temporary file is left behind)."""
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-",
                                     suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
