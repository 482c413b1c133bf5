"""Find every msgid the kiosk can show, with Babel's extractor, so none ships untranslated.

Three conventions mark a citizen-facing text, and Babel finds all three:
- Python in ``kiosk/`` and ``screens/``: the first argument of ``tr(...)`` (any ``x.tr``),
  ``N_(...)`` (a msgid kept in a table) and ``Msg(...)`` (a refusal's lazy message);
- Kivy language files ``screens/*.kv``: the same calls inside property expressions;
- ``drivers/``: the Chinese ``message_zh`` of a device error (class attribute, keyword, or the
  Chinese argument after the English one), which screens show through ``tr``.

Used by the test suite and by translators (``config/locale/babel.cfg`` maps the same methods
for ``pybabel extract``). Reads source text only: it never imports the modules it reads.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.extract import extract_from_dir, extract_python

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS: dict[str, Any] = {"tr": None, "N_": None, "Msg": None}
METHOD_MAP: list[tuple[str, str]] = [
    ("kiosk/**.py", "python"),
    ("screens/**.py", "python"),
    ("screens/**.kv", "kiosk.i18n_extract:extract_kv"),
    # card data, the nation table and the technician's test page are not messages
    ("drivers/**/samples.py", "ignore"),
    ("drivers/**/text.py", "ignore"),
    ("drivers/**/cli.py", "ignore"),
    ("drivers/**.py", "kiosk.i18n_extract:extract_device_messages"),
]
_CJK = re.compile(r"[\u3400-\u9fff]")
_Found = tuple[int, str | None, str, list[str]]


def extract_kv(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
               options: Mapping[str, Any]) -> Iterator[_Found]:
    """Babel extraction method for ``.kv`` files: each property value is a Python expression."""
    for number, raw in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        _, colon, expression = raw.partition(":")
        if not colon or "tr(" not in expression:
            continue
        source = io.BytesIO(expression.strip().encode("utf-8"))
        for _line, funcname, message, comments in extract_python(source, keywords,
                                                                 comment_tags, options):
            yield number, funcname, message, comments


def extract_device_messages(fileobj: IO[bytes], keywords: Mapping[str, Any],
                            comment_tags: Collection[str], options: Mapping[str, Any]
                            ) -> Iterator[_Found]:
    """Babel extraction method for drivers: Chinese constants that become ``message_zh``."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in targets]
            if any(n == "message_zh" or n.endswith("_ZH") for n in names):
                yield from _constant(node.value)
        elif isinstance(node, ast.Call):
            for arg in node.args[1:]:
                yield from _constant(arg)
            for kw in node.keywords:
                if kw.arg == "message_zh":
                    yield from _constant(kw.value)


def _constant(node: ast.AST | None) -> Iterator[_Found]:
    if (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and _CJK.search(node.value)):
        yield node.lineno, None, node.value, []


def used_msgids(root: Path = ROOT) -> dict[str, list[str]]:
    """Every msgid in the source under ``root``, with where it is used ("screens/home.kv:40")."""
    return {msgid: list(where) for msgid, where in _extract(root).items()}


@functools.cache
def _extract(root: Path) -> dict[str, tuple[str, ...]]:
    """Extraction reads ~100 files (seconds): once per process is enough, source is fixed."""
    found: dict[str, list[str]] = {}
    # Babel writes a note to stderr for every f-string *argument* (``time=f"{at:%H:%M}"``): those
    # are parameters, not msgids, so the note is noise here.
    with contextlib.redirect_stderr(io.StringIO()):
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(root), METHOD_MAP, {}, KEYWORDS, strip_comment_tags=True,
                directory_filter=_wanted_directory):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append(f"{filename}:{lineno}")
    return {msgid: tuple(where) for msgid, where in found.items()}


def _wanted_directory(path: str) -> bool:
    name = Path(path).name
    return not name.startswith((".", "_")) and name not in ("tests", "bench", "var", "node_modules")
