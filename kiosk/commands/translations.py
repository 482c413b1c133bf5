"""``kiosk config translations``: which msgids the code shows that have no English yet.

For translators and CI alike: extracts every msgid with Babel (``kiosk.i18n_extract``), compares
with ``config/locale/en.po`` and prints one line per problem — a msgid without English (with
where it is used) or a translation whose placeholders differ from its msgid — exiting 1 if
there is any. ``--pot FILE`` also writes the extracted template for ``pybabel`` tools. Never
writes ``en.po`` itself: a person adds the English.
"""

from __future__ import annotations

import argparse
import string
import warnings
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from kiosk.i18n import LOCALE_DIR, Translator
from kiosk.i18n_extract import used_msgids


def register(config_sub: argparse._SubParsersAction) -> None:
    p = config_sub.add_parser("translations",
                              help="list msgids used in the code that en.po does not translate")
    p.add_argument("--pot", metavar="FILE", help="also write the extracted msgids as a .pot")
    p.set_defaults(func=_translations)


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _translations(args: argparse.Namespace) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Babel's notes on f-string parameters, not msgids
        used = used_msgids()
    english = Translator(LOCALE_DIR).catalog("en")
    problems = [f"no English: {msgid!r} (used at {', '.join(where[:3])})"
                for msgid, where in sorted(used.items()) if msgid not in english]
    problems += [f"placeholders differ: {msgid!r} -> {text!r}"
                 for msgid, text in sorted(english.items()) if _fields(msgid) != _fields(text)]
    if args.pot:
        template = Catalog(locale=None, domain="kiosk", project="zhengwu-kiosk")
        for msgid, where in sorted(used.items()):
            template.add(msgid, locations=[(w.rpartition(":")[0], int(w.rpartition(":")[2]))
                                           for w in where])
        with Path(args.pot).open("wb") as fh:
            write_po(fh, template, width=100)
    for line in problems:
        print(line)
    print(f"{len(used)} msgids in the code, {len(english)} translated in en.po, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0
