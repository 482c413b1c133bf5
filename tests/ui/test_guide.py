"""The service guide (办事指南) in the real app under Xvfb, driven by touches: home tile →
category → letter → item → page → print the checklist slip → back; a bundle's page and its
items; the guide opened from the queue's confirm screen and back to it; paper out on the slip.
Screenshots of every step in Chinese, English, elder mode and landscape land in
tests/artifacts/guide/ after a check that nothing overflows or is too small to touch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drivers.base import Fault
from drivers.printer.escpos_render import render
from kiosk.flows.guide_page import guide_page
from kiosk.flows.guide_state import GuideStep, SlipState
from kiosk.receipts.guide import guide_slip
from tests.ui.conftest import ARTIFACTS, LANDSCAPE, PORTRAIT, SCROLLVIEW_RELEASE_S, Kiosk
from tests.ui.queue_helpers import problems_on_screen

pytestmark = pytest.mark.ui

ITEM = "unemployment-registration"  # 失业登记: social, initial S, two materials, one 容缺
GUIDE_ARTIFACTS = ARTIFACTS / "guide"


def shot(kiosk: Kiosk, name: str) -> Path:
    """Screenshot under tests/artifacts/guide/, after checking the screen's layout."""
    from kivy.core.window import Window

    kiosk.pump(3)
    problems = problems_on_screen(kiosk.app.sm.current_screen, Window.width)
    assert problems == [], f"{name}: {problems}"
    written = kiosk.screenshot(f"guide-{name}")
    GUIDE_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = GUIDE_ARTIFACTS / f"{name}.png"
    shutil.move(written, target)
    assert target.stat().st_size > 10_000
    return target


def texts(kiosk: Kiosk) -> str:
    return "\n".join(str(getattr(w, "text", "")) for w in kiosk.app.sm.current_screen.walk()
                     if getattr(w, "opacity", 1) > 0)


def chinese(text: str) -> set[str]:
    return {ch for ch in text if "\u3400" <= ch <= "\u9fff"}


def wait_slip(kiosk: Kiosk, state: SlipState) -> None:
    flow = kiosk.ctx.flows.guide
    kiosk.wait_until(lambda: flow.state.slip is state, what=f"slip {state}")
    kiosk.pump(2)


def on_screen_qr(kiosk: Kiosk) -> str:
    """What a phone reads from the page's QR: the texture's modules, enlarged and decoded."""
    import numpy as np

    from drivers.scanner.decode import decode_image

    texture = kiosk.get("guide_item_qr").texture
    size = texture.size[0]
    rgba = np.frombuffer(texture.pixels, dtype=np.uint8).reshape(size, size, 4)
    gray = np.kron(rgba[::-1, :, 0], np.ones((8, 8), dtype=np.uint8))  # GL rows: bottom first
    codes = decode_image(np.ascontiguousarray(gray))
    assert len(codes) == 1, codes
    return str(codes[0].text)


def tap_row(kiosk: Kiosk, item_id: str) -> None:
    """Tap an item row of the RecycleView list like a finger. (The shared ``Kiosk.tap`` asks
    the enclosing ScrollView to scroll_to the widget, which Kivy 2.3's RecycleView cannot do:
    its layout trigger is a plain function.) The row must be in view; the ScrollView hands the
    release on 0.2 s later in real time, so wait for it like ``Kiosk.tap`` does."""
    import time

    row = kiosk.get(f"guide_item_{item_id}")
    rv = kiosk.app.sm.current_screen.ids.rv
    x, y = row.to_window(*row.center)
    rx, ry = rv.to_window(rv.x, rv.y)
    assert ry < y < ry + rv.height, f"row {item_id} is not in view"
    kiosk.tap_at(x, y)
    released = time.monotonic() + SCROLLVIEW_RELEASE_S
    while time.monotonic() < released:
        kiosk.pump(1)
    kiosk.pump(2)


def to_item(kiosk: Kiosk, category: str, item: str) -> None:
    kiosk.app.go("guide")
    kiosk.pump()
    kiosk.tap(f"guide_category_{category}")
    assert kiosk.app.current == "guide_items"
    tap_row(kiosk, item)
    assert kiosk.app.current == "guide_item"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_guide_by_touch_prints_the_checklist(kiosk: Kiosk, lang: str) -> None:
    """Given home, when a citizen taps 办事指南 → 社会民生 → S → 失业登记, then the page shows
    the item's conditions, materials as a checklist with the 容缺 one marked, time limits and
    windows in the chosen language only; 打印材料清单 prints exactly the slip's bytes (and a
    PNG); Back leads to the list, then the categories, then home."""
    app, printer = kiosk.app, kiosk.sim("printer")
    if lang == "en":
        kiosk.tap("lang_toggle")
    kiosk.tap("tile_guide")
    assert app.current == "guide"
    assert kiosk.get("guide_category_social").label == ("社会民生" if lang == "zh"
                                                         else "Social affairs")
    shot(kiosk, f"{lang}_1_categories")

    kiosk.tap("guide_category_social")
    assert app.current == "guide_items"
    rv = app.sm.current_screen.ids.rv
    everything = len(rv.data)
    assert everything == len(kiosk.ctx.catalogue.items_in("social"))
    shot(kiosk, f"{lang}_2_items")
    kiosk.tap("guide_letter_S")
    shown = [row["item_id"] for row in rv.data]
    assert ITEM in shown and "employment-registration" not in shown and len(shown) < everything
    # the chosen letter is marked as chosen, not as the screen's way forward
    assert (kiosk.get("guide_letter_S").role, kiosk.get("guide_letter_all").role) == (
        "selected", "secondary")
    shot(kiosk, f"{lang}_3_items_letter_S")

    tap_row(kiosk, ITEM)
    assert app.current == "guide_item"
    assert kiosk.get("guide_item_title").text == ("失业登记" if lang == "zh"
                                                  else "Unemployment registration")
    id_card = kiosk.get("guide_material_id-card").text
    assert id_card == ("□\u00a0居民身份证" if lang == "zh" else "□\u00a0Resident ID card")
    page_text = texts(kiosk)
    if lang == "zh":
        assert "可容缺：可先受理，承诺后补交" in page_text and "15个工作日" in page_text
        assert "社会民生综合窗口1" in kiosk.get("guide_item_windows").text
    else:
        assert chinese(page_text) == set(), chinese(page_text)
        assert "15 working days" in kiosk.get("guide_item_legal").text
    assert app.sm.current_screen.ids.scroll.scroll_y == 1
    assert on_screen_qr(kiosk) == f"https://hall.example.gov.cn/guide/{ITEM}"
    shot(kiosk, f"{lang}_4_page")

    jobs = printer.jobs
    kiosk.tap("guide_print")
    wait_slip(kiosk, SlipState.PRINTED)
    assert printer.jobs == jobs + 1
    flow = kiosk.ctx.flows.guide
    item = kiosk.ctx.catalogue.item(ITEM)
    expected = render(guide_slip(guide_page(item, kiosk.ctx.catalogue, lang),
                                 kiosk.ctx.config.hall, lang, flow.hall_now()),
                      printer.profile).data
    assert printer.last_bin_path.read_bytes() == expected
    assert printer.last_png_path is not None and printer.last_png_path.stat().st_size > 0
    shutil.copy(printer.last_png_path, GUIDE_ARTIFACTS / f"{lang}_slip.png")
    assert kiosk.get("guide_print").text == ("再打印一份" if lang == "zh" else "Print another")
    shot(kiosk, f"{lang}_5_printed")

    kiosk.tap("guide_item_back")
    assert app.current == "guide_items"
    kiosk.tap("nav_back")
    assert app.current == "guide"
    kiosk.tap("nav_back")
    assert app.current == "home"


def test_bundle_page_links_its_items_and_back_walks_back(kiosk: Kiosk) -> None:
    """Given 企业开办一件事, then its page lists its five items as buttons; tapping 印章刻制备案
    opens that page (scrolled to its top) naming the bundle; Back returns to the bundle's page,
    then to the list."""
    to_item(kiosk, "business", "bundle-start-business")
    screen = kiosk.app.sm.current_screen
    links = [getattr(w, "ident", "") for w in screen.ids.links.children]
    assert set(links) == {f"guide_link_{i}" for i in kiosk.ctx.catalogue.item(
        "bundle-start-business").bundle}
    assert "一次申请、一套材料" in kiosk.get("guide_item_bundle_note").text
    shot(kiosk, "zh_6_bundle")
    kiosk.tap("guide_link_seal-engraving")
    assert kiosk.app.current == "guide_item"
    assert kiosk.get("guide_item_title").text == "印章刻制备案"
    assert screen.ids.scroll.scroll_y == 1
    assert kiosk.find("guide_link_bundle-start-business") is not None
    shot(kiosk, "zh_7_bundle_member")
    kiosk.tap("nav_back")
    assert kiosk.get("guide_item_title").text == "企业开办一件事"
    kiosk.tap("guide_item_back")
    assert kiosk.app.current == "guide_items"


def test_opened_from_queue_confirm_and_back_there(kiosk: Kiosk) -> None:
    """Given the queue's confirm screen for 失业登记, when 办事指南 is tapped, then the guide
    opens on that item; Back returns to the confirm screen with the choice intact, and no
    number was taken."""
    app = kiosk.app
    app.go("queue")
    kiosk.pump()
    kiosk.tap("queue_category_social")
    kiosk.tap(f"queue_item_{ITEM}")
    kiosk.tap("queue_identify_next")
    assert app.current == "queue_confirm"
    kiosk.wait_until(lambda: not kiosk.ctx.flows.queue.state.estimating, what="the estimate")
    kiosk.tap("queue_confirm_guide")
    assert app.current == "guide_item"
    assert kiosk.ctx.flows.guide.state.item == ITEM
    assert kiosk.get("guide_item_title").text == "失业登记"
    shot(kiosk, "zh_8_from_queue")
    assert app.sm.current_screen.card_removed()  # the queue's journey is not over yet
    kiosk.tap("guide_item_back")
    assert app.current == "queue_confirm"
    assert kiosk.ctx.flows.queue.state.item == ITEM
    assert kiosk.ctx.flows.queue.state.ticket is None
    assert kiosk.get("queue_confirm_item").text == "失业登记"
    assert kiosk.ctx.flows.guide.state.step is GuideStep.CATEGORY


def test_paper_out_is_said_and_print_again_comes_back(kiosk: Kiosk) -> None:
    """Given the printer out of paper, when 打印材料清单 is tapped, then the bottom bar says the
    printer is out of paper and points to the QR, print again is off; once paper is back and
    the flow's retry finds it, print again prints."""
    printer = kiosk.sim("printer")
    to_item(kiosk, "construction", "property-transfer")
    bar = kiosk.get("guide_slip_status")
    height = bar.height
    printer.inject(Fault.PAPER_OUT)
    kiosk.tap("guide_print")
    wait_slip(kiosk, SlipState.FAILED)
    assert "缺纸" in bar.text and "二维码" in bar.text
    assert kiosk.get("guide_print").disabled
    assert bar.height == height  # nothing moved
    shot(kiosk, "zh_9_paper_out")
    printer.clear(Fault.PAPER_OUT)
    flow = kiosk.ctx.flows.guide

    def retried() -> bool:
        """The app's tick drives the flow's retry every 5 s (the citizen is still reading)."""
        kiosk.app.note_activity()
        kiosk.advance(6)
        return flow.state.reprint_ready

    kiosk.wait_until(retried, what="print again offered")
    kiosk.pump(2)  # the flow's change reaches the view on the next frame
    assert "恢复" in bar.text and not kiosk.get("guide_print").disabled
    kiosk.tap("guide_print")
    wait_slip(kiosk, SlipState.PRINTED)


@pytest.mark.parametrize("mode", ["elder", "landscape", "elder_en"])
def test_page_in_elder_mode_and_landscape(kiosk: Kiosk, mode: str) -> None:
    """Given elder mode (bigger text) or the landscape window, then the list and the long page
    still fit, the bottom bar's buttons are thumb-sized, and the page scrolls to its end."""
    app = kiosk.app
    if mode.startswith("elder"):
        app.set_elder(True)
    if mode.endswith("en"):
        app.lang = "en"
    if mode == "landscape":
        kiosk.resize(LANDSCAPE)
    try:
        app.go("guide")
        kiosk.pump()
        shot(kiosk, f"{mode}_1_categories")
        kiosk.tap("guide_category_business")
        shot(kiosk, f"{mode}_2_items")
        tap_row(kiosk, "bundle-start-business")
        from screens import theme

        button = kiosk.get("guide_print")  # elder mode: the bar's buttons grow with the text
        assert button.height >= theme.BUTTON_HEIGHT * (1.2 if mode.startswith("elder") else 1)
        shot(kiosk, f"{mode}_3_page")
        scroll = app.sm.current_screen.ids.scroll
        scroll.scroll_y = 0
        kiosk.pump(3)
        shot(kiosk, f"{mode}_4_page_end")
    finally:
        if mode == "landscape":
            kiosk.resize(PORTRAIT)
