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
WARNING = rgba("#8A4600")  # 5.5:1 on DISABLED_BG (the old #B35C00 was 3.7:1 on grey)
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

# Touch targets (适老化 guidance, MIIT 2021: ≥ 60×60 dp in elder mode; 44 dp is the common
# floor elsewhere). The guidance measures phone screens, whose portrait width is about 411 dp:
# the kiosk's 1080 px across is read the same way, so 1 dp here is 1080 / 411 px.
DP = 1080 / 411
TOUCH_MIN = 44 * DP  # ≈ 116 px
TOUCH_MIN_ELDER = 60 * DP  # ≈ 158 px


def touch_min(font_scale: float) -> float:
    """The smallest side a control may have at this font scale (elder mode: > 1)."""
    return TOUCH_MIN_ELDER if font_scale > 1 else TOUCH_MIN
