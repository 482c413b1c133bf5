"""A PNG that looks like the paper: what the printer printed, for the screen and the tests.

Drawn from the same ``paper.plan`` as the ESC/POS bytes: one pixel per printer dot (576 px for
80 mm paper), ASCII in 12-dot cells and every other character in 24-dot cells as the printer's
fonts do, real QR symbols at the same module size, so a citizen can photograph the on-screen
ticket when the printer is out of paper. Never falls back to a font without Chinese glyphs: the
preview would show boxes where the paper shows 汉字, so a missing CJK font is an error.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from drivers.printer.base import PrinterError
from drivers.printer.charset import char_width, text_width
from drivers.printer.layout import Align, Receipt
from drivers.printer.paper import FeedRow, QRBlock, TextRow, plan
from drivers.printer.profile import PrinterProfile

FONT_ENV = "KIOSK_CJK_FONT"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
HALF_CELL = 12  # font A: 12 x 24 dots
FONT_HEIGHT = 24
LINE_PITCH = 34  # ~1/6 inch at 203 dpi, the ESC/POS default line spacing
QUIET_ZONE = 4  # modules of white around a QR, so the on-screen symbol always scans
MARGIN = 8


class PreviewFontError(PrinterError):
    message_zh = "缺少中文字体，无法显示凭条"


def find_cjk_font() -> Path:
    """``$KIOSK_CJK_FONT``, the usual wqy-microhei paths, then fontconfig's Chinese fonts."""
    env = os.environ.get(FONT_ENV)
    if env:
        if Path(env).is_file():
            return Path(env)
        raise PreviewFontError(f"${FONT_ENV}={env} is not a file")
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    found = _fontconfig_zh()
    if found:
        return found
    raise PreviewFontError(
        "no Chinese font for the receipt preview: install fonts-wqy-microhei "
        f"(apt install fonts-wqy-microhei) or set ${FONT_ENV} to a .ttf/.ttc with 汉字")


def _fontconfig_zh() -> Path | None:
    # fc-match always answers something (DejaVu when nothing fits), so ask fc-list for fonts
    # that declare Chinese coverage instead, preferring wqy-microhei.
    if not shutil.which("fc-list"):
        return None
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True,
                                 text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted({line.split(":")[0].strip() for line in listing.splitlines() if line.strip()})
    files.sort(key=lambda f: (("microhei" not in f.lower()), ("wqy" not in f.lower()), f))
    for f in files:
        if Path(f).is_file():
            return Path(f)
    return None


@lru_cache(maxsize=8)
@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_cjk_font()), FONT_HEIGHT * size)


def _stroke(row: TextRow) -> int:
    return 1 if row.bold else 0


TEXT_PAD = 2  # dots above and below a line's tallest glyph, so neighbouring lines never touch


def _row_height(row: TextRow | QRBlock | FeedRow) -> int:
    if isinstance(row, TextRow):
        # the font's full ascent and descent (（）【】, g and y reach past the 24-dot cell),
        # the bold stroke on both sides and the padding: a glyph is never cut by the next line
        ascent, descent = _font(row.size).getmetrics()
        return max(LINE_PITCH, ascent + descent + 2 * _stroke(row) + 2 * TEXT_PAD)
    if isinstance(row, QRBlock):
        return (row.modules + 2 * QUIET_ZONE) * row.module_size
    return LINE_PITCH * row.lines


def render_png(receipt: Receipt, profile: PrinterProfile) -> Image.Image:
    """The receipt as a grayscale strip ``profile.dots`` wide, ending with the cut line."""
    paper = plan(receipt, profile)
    feed_to_cut = LINE_PITCH * profile.cut_feed_lines
    height = MARGIN + sum(_row_height(r) for r in paper.rows) + feed_to_cut + 2
    image = Image.new("L", (profile.dots, height), 255)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for row in paper.rows:
        if isinstance(row, TextRow):
            _draw_text(draw, row, y, profile.dots)
        elif isinstance(row, QRBlock):
            _draw_qr(image, row, y, profile.dots)
        y += _row_height(row)
    y += feed_to_cut
    for x in range(0, profile.dots, 12):  # dashed cut line, like the perforation it leaves
        draw.line([(x, y), (x + 6, y)], fill=128)
    return image


def _draw_text(draw: ImageDraw.ImageDraw, row: TextRow, y: int, dots: int) -> None:
    cell = HALF_CELL * row.size
    width = text_width(row.text) * cell
    x = {Align.LEFT: 0, Align.CENTER: (dots - width) // 2, Align.RIGHT: dots - width}[row.align]
    font = _font(row.size)
    for char in row.text:
        w = char_width(char) * cell
        if not char.isspace():
            # centre each glyph in its printer cell so columns line up as on paper
            draw.text((x + w / 2, y + TEXT_PAD + _stroke(row)), char, font=font, fill=0,
                      anchor="ma", stroke_width=_stroke(row), stroke_fill=0)
        x += w


def _draw_qr(image: Image.Image, row: QRBlock, y: int, dots: int) -> None:
    symbol = qrcode.QRCode(version=(row.modules - 17) // 4, border=QUIET_ZONE,
                           box_size=row.module_size,
                           error_correction=qrcode.constants.ERROR_CORRECT_M)
    symbol.add_data(row.data, optimize=0)
    symbol.make(fit=False)
    picture = symbol.make_image().get_image().convert("L")
    image.paste(picture, ((dots - picture.width) // 2, y))


def save_png(receipt: Receipt, profile: PrinterProfile, path: str | Path) -> Path:
    """Render and write ``path`` (parent folders created); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    render_png(receipt, profile).save(target, format="PNG", optimize=False)
    return target
