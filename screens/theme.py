"""The hall's visual language in one place: colours and sizes the .kv files refer to.

Calm government-service look: white and light grey, deep blue #1F5AA6 for what can be pressed,
high contrast text, no text under 32 px at 1080 px wide. Sizes are pixels at 1080 wide; the app
multiplies font sizes by its font scale (elder mode). Never put behaviour here.
"""

from __future__ import annotations


def rgba(hex_colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


PRIMARY = rgba("#1F5AA6")
PRIMARY_DARK = rgba("#17467F")
PRIMARY_LIGHT = rgba("#E8F0FA")
BACKGROUND = rgba("#F4F6F9")
SURFACE = rgba("#FFFFFF")
BORDER = rgba("#D5DCE6")
TEXT = rgba("#1A1A1A")
TEXT_MUTED = rgba("#4A5566")
TEXT_ON_PRIMARY = rgba("#FFFFFF")
DISABLED_BG = rgba("#E2E5EA")
DISABLED_TEXT = rgba("#5F6673")
OK = rgba("#1E7F3C")
WARNING = rgba("#B35C00")
DANGER = rgba("#B3261E")
SCRIM = rgba("#000000", 0.55)
TOAST_BG = rgba("#1A1A1A", 0.88)

# font sizes in px at scale 1.0 (elder mode multiplies by ELDER_FONT_SCALE)
FONT_TITLE = 60
FONT_HEADING = 48
FONT_TILE = 52
FONT_BODY = 36
FONT_SMALL = 32  # the smallest text a citizen ever sees
ELDER_FONT_SCALE = 1.35

RADIUS = 28
TILE_MIN_HEIGHT = 260
BUTTON_HEIGHT = 120
NAV_HEIGHT = 140
PAD = 32
