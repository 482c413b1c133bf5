"""The kiosk's one translation layer: Chinese source strings in, the citizen's language out.

Message ids are the Chinese texts themselves (gettext style, source language zh), so the code reads
like the screen a citizen sees; English lives in ``config/locale/en.po`` (and ``en/*.po``, one per
journey), read with Babel's ``read_po`` at first use (no hand-written parser, no compiled file to
forget). Every string a person sees goes through ``tr``: screens, refusals (``Msg``: a msgid and its
parameters, rendered when shown), receipts and the devices' ``message_zh``. A missing translation
falls back to the Chinese msgid and is logged once, so a half-translated screen is still usable; the
test suite extracts every msgid from the source (``kiosk.i18n_extract``) and fails when one has no
English.

This module must never import Kivy and never hold citizen data: msgids are fixed texts, personal
values come in only through ``**fmt`` at the moment of display and are never logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "config" / "locale"
SOURCE_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")


class PoError(ValueError):
    """A ``.po`` file is malformed; names the file and what Babel found wrong."""


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a msgid kept in data (a table, a constant) so extraction finds it; returns it as is."""
    return msgid


@dataclass(frozen=True)
class Msg:
    """A message not yet rendered: a msgid and its parameters, shown in the reader's language.

    Parameters may themselves be ``Msg`` (a weekday, a group label) or ``Names`` (catalogue
    data that carries its own translation); plain values are inserted as they are."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __init__(self, msgid: str, **params: object) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", dict(params))

    def render(self, lang: str) -> str:
        return tr(self.msgid, lang, **self.params)


@dataclass(frozen=True)
class Names:
    """A name from the catalogue or the configuration, which carries both languages itself."""

    zh: str
    en: str = ""

    def render(self, lang: str) -> str:
        return self.zh if lang == SOURCE_LANGUAGE or not self.en else self.en


def read_catalog(path: Path, lang: str) -> Catalog:
    """The Babel catalogue of ``path``; a malformed file is a PoError naming it."""
    # Babel is imported on first use: a Chinese-only start never pays for it.
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=lang, domain=path.stem, abort_invalid=True)
    except PoFileError as exc:
        raise PoError(f"{path}: {exc}") from None


def translations(catalog: Catalog) -> dict[str, str]:
    """msgid → msgstr for the entries that are translated and not fuzzy (a fuzzy entry is a
    guess Babel made while updating; a person has not checked it)."""
    out: dict[str, str] = {}
    for message in catalog:
        if (message.id and isinstance(message.id, str) and isinstance(message.string, str)
                and message.string and not message.fuzzy):
            out[message.id] = message.string
    return out


def catalogue_files(locale_dir: Path, lang: str) -> list[Path]:
    """``<lang>.po`` then ``<lang>/*.po`` by name: each journey keeps its own file
    (``en/locker.po``), so journeys built side by side never edit the same catalogue. The first
    file defining a msgid wins."""
    main = locale_dir / f"{lang}.po"
    parts = sorted((locale_dir / lang).glob("*.po")) if (locale_dir / lang).is_dir() else []
    return ([main] if main.exists() else []) + parts


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
                merged: dict[str, str] = {}
                for path in catalogue_files(self._dir, lang):
                    for msgid, text in translations(read_catalog(path, lang)).items():
                        merged.setdefault(msgid, text)
                self._catalogs[lang] = merged
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
            values = {k: self._value(v, lang) for k, v in fmt.items()}
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                # a translator's typo in a placeholder must not crash a citizen's screen
                log.warning("bad placeholders in %s text for %r", lang, msgid)
                return msgid.format(**values)
        return text

    def _value(self, value: object, lang: str) -> object:
        if isinstance(value, Msg):
            return self.tr(value.msgid, lang, **value.params)
        if isinstance(value, Names):
            return value.render(lang)
        return value

    @property
    def missing(self) -> frozenset[tuple[str, str]]:
        return frozenset(self._missing)


_default = Translator()


def tr(msgid: str, lang: str, **fmt: object) -> str:
    """Translate ``msgid`` (the Chinese text) into ``lang`` and fill ``{placeholders}``."""
    return _default.tr(msgid, lang, **fmt)


def default_translator() -> Translator:
    return _default


# ---- dates and times in words: part of the language, so they are msgids too ----
WEEKDAYS = (N_("周一"), N_("周二"), N_("周三"), N_("周四"), N_("周五"), N_("周六"), N_("周日"))
MONTHS = (N_("1月"), N_("2月"), N_("3月"), N_("4月"), N_("5月"), N_("6月"), N_("7月"),
          N_("8月"), N_("9月"), N_("10月"), N_("11月"), N_("12月"))


def day_msg(day: date) -> Msg:
    """"1月12日（周一）" / "Mon 12 Jan"."""
    return Msg("{month}{day}日（{weekday}）", month=Msg(MONTHS[day.month - 1]), day=day.day,
               weekday=Msg(WEEKDAYS[day.weekday()]))


def when_msg(at: datetime, today: date) -> Msg:
    """"今天 13:30" / "today at 13:30", or the day and time when it is not today."""
    if at.date() == today:
        return Msg("今天 {time}", time=at.strftime("%H:%M"))
    return Msg("{day}{time}", day=day_msg(at.date()), time=at.strftime("%H:%M"))
