"""The paper-like PNG preview: width, readable QR, same layout as the bytes, font discovery."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from drivers.printer import preview
from drivers.printer.layout import Align, Receipt
from drivers.printer.preview import PreviewFontError, find_cjk_font, render_png, save_png
from drivers.printer.profile import PrinterProfile

QUEUE_URL = "https://hall.example.gov.cn/queue?ticket=A023&d=2026-11-21"


def queue_ticket() -> Receipt:
    return (Receipt()
            .text("XX市行政服务中心", size=2, bold=True, align=Align.CENTER)
            .text("A023", size=4, bold=True, align=Align.CENTER)
            .separator()
            .text("社会民生  前面还有 12 人")
            .qr(QUEUE_URL, caption="扫码查看排队进度")
            .feed(2))


@pytest.mark.parametrize(("width_mm", "dots"), [(80, 576), (58, 384)])
def test_preview_is_as_wide_as_the_paper_and_qr_decodes(tmp_path, width_mm, dots):
    """Given a queue ticket when previewed for {width_mm} mm paper and saved as PNG
    then the strip is {dots} px wide, white, and pyzbar reads the QR data back from the file."""
    path = save_png(queue_ticket(), PrinterProfile(paper_width_mm=width_mm), tmp_path / "t.png")
    image = Image.open(path)
    assert image.width == dots and image.format == "PNG"
    assert image.getpixel((0, 0)) == 255
    assert [d.data.decode() for d in decode(image)] == [QUEUE_URL]


def test_qr_module_size_matches_the_printer(tmp_path):
    """Given a QR with module size 5 when previewed then the symbol measures modules x 5 px,
    the same size the printer prints it."""
    image = render_png(Receipt().qr("A023", module_size=5), PrinterProfile())
    (symbol,) = decode(image)
    assert symbol.rect.width == 21 * 5  # "A023" fits version 1 (21 modules)


def ink_columns(image: Image.Image) -> np.ndarray:
    pixels = np.asarray(image)
    return np.nonzero((pixels < 128).any(axis=0))[0]


def test_alignment_and_bold_are_visible():
    """Given one short line left, centred and right when previewed then the ink sits at the
    left edge, the middle and the right edge; bold lays more ink than regular."""
    profile = PrinterProfile()
    left, centre, right = (ink_columns(render_png(Receipt().text("中文", align=a), profile))
                           for a in (Align.LEFT, Align.CENTER, Align.RIGHT))
    assert left.min() < 6 and left.max() < 60
    assert abs((centre.min() + centre.max()) / 2 - 288) < 6
    assert right.max() > 570 and right.min() > 500
    regular = np.asarray(render_png(Receipt().text("政务服务"), profile))
    bold = np.asarray(render_png(Receipt().text("政务服务", bold=True), profile))
    assert (bold < 128).sum() > (regular < 128).sum() * 1.2


def test_cjk_and_ascii_cells_line_up_like_the_paper():
    """Given 48 ASCII digits and 24 汉字 (both exactly one 80 mm line) when previewed
    then both span the whole 576 px, and a size-2 line is twice as tall."""
    profile = PrinterProfile()
    for text in ("0123456789" * 4 + "01234567", "汉" * 24):
        cols = ink_columns(render_png(Receipt().text(text), profile))
        assert cols.min() < 12 and cols.max() > 564
    one = render_png(Receipt().text("A"), profile).height
    two = render_png(Receipt().text("A").text("A", size=2), profile).height
    assert two - one >= 48


def test_substitutes_are_drawn_not_tofu():
    """Given an emoji on a GBK printer when previewed then the preview draws the '?' the paper
    gets (same ink as a literal '?')."""
    profile = PrinterProfile(encoding="gbk")
    emoji = np.asarray(render_png(Receipt().text("\U0001F600"), profile))
    question = np.asarray(render_png(Receipt().text("?"), profile))
    assert np.array_equal(emoji, question)


def test_missing_cjk_font_is_a_clear_error(monkeypatch, tmp_path):
    """Given $KIOSK_CJK_FONT pointing nowhere when a font is looked up then PreviewFontError
    naming the variable; with no candidates and no fontconfig answer it says what to install."""
    monkeypatch.setenv(preview.FONT_ENV, str(tmp_path / "none.ttc"))
    with pytest.raises(PreviewFontError, match="KIOSK_CJK_FONT"):
        find_cjk_font()
    monkeypatch.delenv(preview.FONT_ENV)
    monkeypatch.setattr(preview, "FONT_CANDIDATES", ())
    monkeypatch.setattr(preview, "_fontconfig_zh", lambda: None)
    with pytest.raises(PreviewFontError, match="fonts-wqy-microhei"):
        find_cjk_font()


def test_fontconfig_finds_a_chinese_font(monkeypatch):
    """Given no known path when fontconfig is asked then a font declaring Chinese is found."""
    monkeypatch.delenv(preview.FONT_ENV, raising=False)
    monkeypatch.setattr(preview, "FONT_CANDIDATES", ())
    found = find_cjk_font()
    assert found.is_file() and "wqy" in found.name.lower()


@pytest.mark.parametrize("size", [1, 2])
def test_every_glyph_stays_inside_its_own_line(size: int) -> None:
    """Given lines whose glyphs reach above the cap height and below the baseline (（）, 【】,
    g, y, 号) at normal and double size, bold or not, when rendered, then the ink of each line
    stays inside that line's band: no glyph is cut by the next line or the paper's edge."""
    profile = PrinterProfile()
    samples = ["（补打）【号】gjpqy", "ÅÉ 中文 yg（）"]
    for bold in (False, True):
        receipt = Receipt()
        for text in samples:
            receipt.text(text, size=size, bold=bold)
        image = np.asarray(render_png(receipt, profile)) < 128
        rows = np.flatnonzero(image.any(axis=1))
        bands = [preview.MARGIN + i * preview._row_height(  # noqa: SLF001 - the row plan
            preview.TextRow(samples[0], size=size, bold=bold)) for i in range(len(samples) + 1)]
        for top, bottom in zip(bands, bands[1:], strict=False):
            inside = rows[(rows >= top) & (rows < bottom)]
            assert inside.size, f"no ink in the band {top}..{bottom}"
        assert rows.min() >= 0 and rows.max() < bands[-1], (rows.min(), rows.max(), bands)
        # and each line's ink does not touch the band boundary (it would be cut on paper)
        for boundary in bands[1:-1]:
            assert not image[boundary].any(), f"ink crosses the line boundary at y={boundary}"
