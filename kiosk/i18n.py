"""The kiosk's one translation layer: Chinese source strings in, the citizen's language out.

Message ids are the Chinese texts themselves (gettext style), so the code reads like the screen a
citizen sees; English lives in ``config/locale/en.po`` as msgid/msgstr pairs, read by the small
parser below at first use (no compile step, no ``.mo`` file to forget). A missing translation
falls back to the Chinese msgid and is logged once, so a half-translated screen is still usable.
This module must never import Kivy and never hold citizen data: msgids are fixed texts, personal
values come in only through ``**fmt`` at the moment of display.
"""

from __future__ import annotations

import ast
import logging
import threading
from pathlib import Path

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "config" / "locale"
SOURCE_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")


class PoError(ValueError):
    """A ``.po`` file is malformed; names the file and the line."""


def parse_po(text: str, source: str = "<po>") -> dict[str, str]:
    """Read msgid/msgstr pairs from the text of a ``.po`` file.

    Supports what translators actually write: ``#`` comments, multi-line strings continued with
    quoted lines, C escapes. Entries with an empty msgstr are untranslated and left out (so they
    fall back), as is the header entry (empty msgid)."""
    catalog: dict[str, str] = {}
    field: str | None = None
    parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}

    def flush() -> None:
        msgid, msgstr = "".join(parts["msgid"]), "".join(parts["msgstr"])
        if msgid and msgstr:
            catalog[msgid] = msgstr
        parts["msgid"], parts["msgstr"] = [], []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgid", "msgstr"):
            if keyword == "msgid" and field == "msgstr":
                flush()
            field = keyword
            line = rest.strip()
        elif keyword.startswith(("msgctxt", "msgid_plural", "msgstr[")):
            raise PoError(f"{source}:{number}: {keyword} is not supported by the kiosk's "
                          ".po reader")
        if field is None or not (line.startswith('"') and line.endswith('"') and len(line) >= 2):
            raise PoError(f"{source}:{number}: expected a quoted string, found {raw.strip()!r}")
        try:
            parts[field].append(ast.literal_eval(line))
        except (ValueError, SyntaxError):
            raise PoError(f"{source}:{number}: bad string {line!r}") from None
    flush()
    return catalog


class Translator:
    """Looks msgids up per language; loads each catalogue lazily and once."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self._dir = locale_dir
        self._catalogs: dict[str, dict[str, str]] = {}
        self._missing: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def catalog(self, lang: str) -> dict[str, str]:
        with self._lock:
            if lang not in self._catalogs:
                path = self._dir / f"{lang}.po"
                self._catalogs[lang] = (parse_po(path.read_text("utf-8"), str(path))
                                        if path.exists() else {})
            return self._catalogs[lang]

    def tr(self, msgid: str, lang: str, **fmt: object) -> str:
        text = msgid
        if msgid and lang != SOURCE_LANGUAGE:
            found = self.catalog(lang).get(msgid)
            if found is None:
                if (lang, msgid) not in self._missing:
                    self._missing.add((lang, msgid))
                    log.warning("no %s translation for %r; showing the Chinese text", lang, msgid)
            else:
                text = found
        if fmt:
            try:
                return text.format(**fmt)
            except (KeyError, IndexError, ValueError):
                # a translator's typo in a placeholder must not crash a citizen's screen
                log.warning("bad placeholders in %s text for %r", lang, msgid)
                return msgid.format(**fmt)
        return text

    @property
    def missing(self) -> frozenset[tuple[str, str]]:
        return frozenset(self._missing)


_default = Translator()


def tr(msgid: str, lang: str, **fmt: object) -> str:
    """Translate ``msgid`` (the Chinese text) into ``lang`` and fill ``{placeholders}``."""
    return _default.tr(msgid, lang, **fmt)


def default_translator() -> Translator:
    return _default
