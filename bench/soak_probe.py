"""What the soak's memory is made of, at each checkpoint (``bench/soak.py --diagnose``).

RSS alone cannot tell a leak from a cache filling up. At each checkpoint this records, beside
RSS: glibc's heap (``mallinfo2``: bytes in use vs. free but kept), the Python heap traced by
``tracemalloc`` (and the lines that grew since the last checkpoint), live objects per type
(``gc.get_objects``), the size of each of Kivy's ``Cache`` categories, the fonts Kivy's SDL2
text provider has opened (it keeps up to 64, each with its own glyph cache), and live textures
by the widget class showing them (and their pixel bytes). A leak grows with every journey; a
bounded cache grows and then stops: comparing checkpoints says which.

Diagnostics only: it must never change what the app does (the one hook counts font ids and
returns what Kivy computed) and is never imported by the kiosk.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOP = 12


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def malloc_mb() -> tuple[float, float]:
    """glibc's heap: (in use, free but not returned to the system) in MB; (0, 0) elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
    except (OSError, AttributeError):
        return 0.0, 0.0
    info = libc.mallinfo2()
    return (info.uordblks + info.hblkhd) / (1 << 20), info.fordblks / (1 << 20)


def mappings_mb() -> Counter[str]:
    """Resident MB by kind of mapping: glibc's main heap, anonymous maps (thread arenas, big
    allocations, the GL driver's buffers and compiled shaders), files (libraries, fonts)."""
    out: Counter[str] = Counter()
    kind = "anon"
    for line in Path("/proc/self/smaps").read_text().splitlines():
        first = line.split(maxsplit=6)
        if len(first) >= 5 and "-" in first[0] and ":" not in first[0]:
            path = first[5] if len(first) > 5 else ""
            kind = ("heap" if path == "[heap]" else "anon" if not path
                    else "stack" if path.startswith("[stack") else
                    "file" if path.startswith("/") else path)
        elif first and first[0] == "Rss:":
            out[kind] += int(first[1])
    return Counter({k: round(v / 1024, 1) for k, v in out.items()
                    if k in ("heap", "anon", "file", "stack")})


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


@dataclass
class Checkpoint:
    label: str
    rss_mb: float
    malloc_used_mb: float
    malloc_free_mb: float
    python_mb: float
    types: Counter[str]
    caches: dict[str, int]
    fonts: int
    textures: Counter[str]
    texture_mb: float
    mappings: Counter[str]
    snapshot: Any = field(default=None, repr=False)


def _texture_owners() -> dict[int, str]:
    """id(texture) -> the class of the widget (in any screen, shown or not) that holds it."""
    from kivy.core.window import Window

    owners: dict[int, str] = {}
    seen: set[int] = set()
    roots: list[Any] = list(Window.children)
    from kivy.app import App

    app = App.get_running_app()
    if app is not None and getattr(app, "sm", None) is not None:
        roots += list(app.sm.screens)
    for root in roots:
        for widget in root.walk(restrict=True):
            if id(widget) in seen:
                continue
            seen.add(id(widget))
            texture = getattr(widget, "texture", None)
            if texture is not None:
                owners[id(texture)] = type(widget).__name__
    return owners


class Probe:
    """Checkpoints of the app's memory; ``report`` prints the growth between two of them."""

    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.font_ids: set[str] = set()
        self.checkpoints: list[Checkpoint] = []
        if trace:
            tracemalloc.start(8)
        from kivy.core.text.text_sdl2 import LabelSDL2

        original = LabelSDL2._get_font_id
        fonts = self.font_ids

        def _get_font_id(label: Any) -> str:
            font_id: str = original(label)
            fonts.add(font_id)
            return font_id

        LabelSDL2._get_font_id = _get_font_id  # type: ignore[method-assign]

    def checkpoint(self, label: str) -> Checkpoint:
        from kivy.cache import Cache
        from kivy.graphics.texture import Texture, TextureRegion

        gc.collect()
        objects = gc.get_objects()
        types = Counter(type(o).__name__ for o in objects)
        owners = _texture_owners()
        textures: Counter[str] = Counter()
        pixels = 0
        for o in objects:
            if isinstance(o, Texture):
                w, h = o.size
                if not isinstance(o, TextureRegion):
                    pixels += w * h
                textures[owners.get(id(o), f"unowned {w}x{h}" if w * h > 40_000
                                    else "unowned small")] += 1
        del objects
        used, free = malloc_mb()
        snapshot = None
        python = 0.0
        if self.trace:
            snapshot = tracemalloc.take_snapshot().filter_traces((
                tracemalloc.Filter(False, tracemalloc.__file__),
                tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")))
            python = tracemalloc.get_traced_memory()[0] / (1 << 20)
        point = Checkpoint(label, rss_mb(), used, free, python, types,
                           {c: len(v) for c, v in Cache._objects.items()}, len(self.font_ids),
                           textures, pixels * 4 / (1 << 20), mappings_mb(), snapshot)
        self.checkpoints.append(point)
        return point

    def report(self, since: Checkpoint, now: Checkpoint) -> None:
        out = sys.stderr
        print(f"--- {since.label} -> {now.label}: RSS {since.rss_mb:.1f} -> {now.rss_mb:.1f} MB "
              f"({now.rss_mb - since.rss_mb:+.1f}); malloc in use {since.malloc_used_mb:.1f} -> "
              f"{now.malloc_used_mb:.1f}, free kept {since.malloc_free_mb:.1f} -> "
              f"{now.malloc_free_mb:.1f}; python heap {since.python_mb:.1f} -> "
              f"{now.python_mb:.1f}; fonts opened {since.fonts} -> {now.fonts}; texture pixels "
              f"{since.texture_mb:.1f} -> {now.texture_mb:.1f} MB", file=out)
        print(f"    resident by mapping (MB): {_diff(since.mappings, now.mappings, all_=True)}",
              file=out)
        print(f"    Kivy Cache: {_diff(Counter(since.caches), Counter(now.caches), all_=True)}",
              file=out)
        print(f"    textures by holder: {_diff(since.textures, now.textures)}", file=out)
        print(f"    objects by type: {_diff(since.types, now.types)}", file=out)
        if since.snapshot is not None and now.snapshot is not None:
            for stat in now.snapshot.compare_to(since.snapshot, "traceback")[:TOP]:
                if stat.size_diff < 50_000:
                    break
                frames = [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback
                          if "/kivy/" in f.filename or "/wt-" in f.filename
                          or "/work/" in f.filename][:4]
                print(f"    {stat.size_diff / 1024:+8.0f} KiB {stat.count_diff:+7d} blocks  "
                      f"{' < '.join(frames) or stat.traceback[0]}", file=out)
        out.flush()


def _diff(before: Counter[str], after: Counter[str], all_: bool = False) -> str:
    keys = set(before) | set(after)
    moved = sorted(((after[k] - before[k], k) for k in keys), key=lambda d: -abs(d[0]))
    if not all_:
        moved = [m for m in moved if m[0]][:TOP]
    return ", ".join(f"{k} {before[k]}->{after[k]}" for _d, k in moved) or "no change"
