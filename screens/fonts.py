"""Find a font that has Chinese glyphs and make it Kivy's default.

Kivy's bundled Roboto has no CJK glyphs: without this every Chinese label renders as boxes.
We look in the usual Debian places first (fast, no subprocess), then ask fontconfig. Finding
nothing is a clear start-up error naming the package to install, never a screen of boxes.
This module must never be imported before ``screens.cli`` has set Kivy's environment.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
FONT_NAME = "KioskCJK"


class FontMissing(RuntimeError):
    pass


def find_cjk_font() -> Path:
    for candidate in KNOWN_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    fc_match = shutil.which("fc-match")
    if fc_match:
        for family in ("WenQuanYi Micro Hei", "Noto Sans CJK SC", ":lang=zh-cn"):
            try:
                out = subprocess.run([fc_match, "-f", "%{file}\n%{lang}", family],
                                     capture_output=True, text=True, timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                break
            path, _, langs = out.stdout.partition("\n")
            # fc-match always answers something; only accept a font that claims Chinese
            if path and Path(path).is_file() and "zh-cn" in langs.split("|"):
                return Path(path)
    raise FontMissing("no Chinese font found: install fonts-wqy-microhei "
                      "(apt-get install fonts-wqy-microhei) or fonts-noto-cjk")


def register_default_font() -> Path:
    """Register the CJK font under ``FONT_NAME`` and as Kivy's default ("Roboto") font."""
    from kivy.core.text import LabelBase

    path = find_cjk_font()
    LabelBase.register(FONT_NAME, str(path))
    # Every Label and Button uses font_name "Roboto" unless told otherwise: point it at CJK.
    LabelBase.register("Roboto", str(path), str(path), str(path), str(path))
    return path
