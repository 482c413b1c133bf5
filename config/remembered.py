"""Validated files remembered across starts: a kiosk restarts far more often than its files change.

Validating the configuration and the catalogue builds pydantic's schemas first: ~50 ms of the
~0.55 s a kiosk takes to draw home on this hardware, at every start, for files that have not
changed since the last one. ``Remembered.get`` keeps what a validation made (a frozen result,
pickled, a few kB) under a key of the data it was made from and of the code that checked it:
the source of the modules that define and read the models, pydantic's version and Python's.
The same key next time reads the result back (~0.3 ms). Anything else — another file, an edited
model, a newer pydantic, a remembered file that is missing, damaged or unreadable — validates as
before and is remembered anew. A file that does not validate is never remembered: its error is
raised exactly as it is without this module. Only ``kiosk run`` uses it; every other command,
and ``kiosk config check``, validates every time.

Only what the kiosk itself wrote is read back: the folder is the kiosk user's own cache
(``config.cache``), a file is replaced whole (``write_whole``), and the unpickler builds only
our own dataclasses and enums and a few standard value types: a tampered file is refused and
rebuilt, never run.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import logging
import pickle
import platform
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from config.cache import write_whole
from config.files import FileRefused, read_bounded

log = logging.getLogger(__name__)

T = TypeVar("T")

OUR_PACKAGES = ("config", "kiosk", "drivers")
STANDARD = {("datetime", "date"), ("datetime", "time"), ("datetime", "datetime"),
            ("datetime", "timedelta"), ("builtins", "frozenset"), ("builtins", "set"),
            ("pathlib", "PosixPath"), ("pathlib", "PurePosixPath")}
MAX_BYTES = 1 << 20  # a remembered result is a few kB; anything larger was not written by us


class _OwnUnpickler(pickle.Unpickler):
    """Builds only our dataclasses and enums and the standard types in ``STANDARD``."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in STANDARD:
            return super().find_class(module, name)
        if module.split(".")[0] in OUR_PACKAGES and module in sys.modules:
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and (dataclasses.is_dataclass(found)
                                            or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a remembered type")


class Remembered:
    """Results of validations kept in ``folder``, one file per kind of result."""

    def __init__(self, folder: Path, code: Iterable[Path]) -> None:
        """``code``: the source files that decide what a validation makes; a change to any of
        them forgets every result. Raises OSError when one cannot be read."""
        import pydantic  # already imported by the models: its version is part of the key

        self.folder = folder
        digest = hashlib.sha256(f"{sys.version}|{platform.machine()}|{pydantic.VERSION}|"
                                .encode())
        for source in sorted(code):
            digest.update(str(source.name).encode() + b"\0" + source.read_bytes())
        self._code = digest.digest()

    def get_for_files(self, kind: type[T], files: Sequence[Path], limit: int,
                      load: Callable[[], T]) -> T:
        """What ``load()`` makes of ``files``, remembered under their paths and bytes (read
        here, bounded, only to make the key: a remembered start neither parses nor validates
        them). A file that cannot be read is left to ``load``, which refuses it in its own
        words."""
        try:
            data = [(str(file), read_bounded(file, limit)) for file in files]
        except FileRefused:
            return load()
        return self.get(kind, data, load)

    def get(self, kind: type[T], data: object, validate: Callable[[], T]) -> T:
        """What ``validate()`` makes of ``data`` (plain values it is made from), remembered."""
        key = hashlib.sha256(self._code + repr(data).encode()).hexdigest()
        path = self.folder / f"{kind.__module__}.{kind.__qualname__}.pickle"
        known = self._read(path, key, kind)
        if known is not None:
            return known
        result = validate()  # raises as it would without remembering: nothing is written
        self._write(path, key, result)
        return result

    def _read(self, path: Path, key: str, kind: type[T]) -> T | None:
        try:
            with path.open("rb") as file:
                blob = file.read(MAX_BYTES + 1)
            if len(blob) > MAX_BYTES:
                raise pickle.UnpicklingError("larger than any result we write")
            stored_key, result = _OwnUnpickler(io.BytesIO(blob)).load()
        except FileNotFoundError:
            return None
        except Exception as exc:  # damaged, tampered, or from another version: validate anew
            log.info("remembered %s not used (%s): validating", path.name, type(exc).__name__)
            return None
        if stored_key != key or not isinstance(result, kind):
            return None
        return result  # type: ignore[no-any-return]

    def _write(self, path: Path, key: str, result: object) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_whole(path, pickle.dumps((key, result), protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            # a read-only home, a full disk: the kiosk still starts, validating every time
            log.info("could not remember %s (%s)", path.name, type(exc).__name__)
