"""办事指南, step 3: one item's page, long and readable, with 打印清单 always at hand.

Draws the finished texts of ``GuidePage`` (conditions, materials with original/copy, copies,
pages and 容缺, legal and promised time limits, fee, windows, department, hours, delivery, the
一件事 bundle with a button per linked item, and a QR to the guide online). The page scrolls and
is back at its top on every entry and every new item; the print button, its status line and
返回 sit in a bottom bar that never scrolls away, and the status line keeps its height, so nothing
moves when the printer answers. Back walks back through bundle links, then to where the guide
was opened from (another flow's screen) or to the item list: the flow decides which.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qrcode
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from kiosk.flows.guide_page import GuidePage
from kiosk.flows.guide_state import GuideStep, SlipProblem, SlipState
from kiosk.i18n import N_
from kiosk.receipts.guide import guide_url
from screens import theme
from screens.guide_common import GuideMaterial, GuideView
from screens.widgets import BodyLabel, KioskButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PRINT_BUTTON = {  # msgids by slip state
    SlipState.IDLE: N_("打印材料清单"),
    SlipState.PRINTING: N_("正在打印…"),
    SlipState.PRINTED: N_("再打印一份"),
    SlipState.FAILED: N_("重新打印"),
}
SLIP_STATUS = {
    SlipState.IDLE: N_("清单列出全部材料，可带回家逐项准备"),
    SlipState.PRINTING: N_("正在打印材料清单，请稍候…"),
    SlipState.PRINTED: N_("清单已打印，请从出纸口取走"),
}
SLIP_PROBLEM = {
    SlipProblem.PAPER_OUT: N_("打印机缺纸，清单暂时无法打印；已通知工作人员，可扫描本页二维码"),
    SlipProblem.OFFLINE: N_("打印机暂停服务，清单暂时无法打印；可用手机扫描本页二维码查看"),
}
SLIP_BACK = N_("打印机已恢复，可以重新打印")
NO_PRINTER = N_("本机未配备打印机，可用手机扫描本页二维码查看")


QR_BORDER = 4  # modules of quiet zone: phones need it to find the symbol


def qr_texture(text: str) -> Texture:
    """The guide's address as a QR texture, one texel per module (drawn with nearest-neighbour
    scaling). Made straight from the module matrix with a fixed mask: choosing the "best" of
    eight masks and a PNG round trip cost ~60 ms a page; any mask scans."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER,
                         mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    rows = code.get_matrix()  # with the border, top row first
    size = len(rows)
    dark, light = b"\x00\x00\x00\xff", b"\xff\xff\xff\xff"
    pixels = b"".join(dark if cell else light for row in reversed(rows) for cell in row)
    texture = Texture.create(size=(size, size), colorfmt="rgba")
    texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")  # GL's rows: bottom first
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class GuideItemScreen(GuideView):
    title = StringProperty("办事指南")
    item_title = StringProperty("")
    kind_line = StringProperty("")
    cross_region = StringProperty("")
    legal = StringProperty("")
    promised = StringProperty("")
    fee = StringProperty("")
    windows = StringProperty("")
    department = StringProperty("")
    hours = StringProperty("")
    delivery = StringProperty("")
    bundle_note = StringProperty("")
    print_text = StringProperty("")
    print_disabled = BooleanProperty(False)
    slip_text = StringProperty("")
    slip_tone = ListProperty(list(theme.TEXT_MUTED))
    qr = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        self._drawn: tuple[str, str] | None = None  # (item, language) the page shows
        # Widgets are made once and reused from page to page (making them is what makes a
        # change slow; setting their texts is not); QR textures once per item.
        self._conditions: list[BodyLabel] = []
        self._materials: list[GuideMaterial] = []
        self._links: list[KioskButton] = []
        self._qr: dict[str, Texture] = {}
        super().__init__(**kwargs)

    def on_pre_enter(self, *_: object) -> None:
        self._drawn = None  # a fresh entry: the page starts at its top
        super().on_pre_enter()

    def tick(self, now: float) -> None:
        self.flow.tick(now)

    def card_removed(self) -> bool:
        """Opened from another flow (the queue's confirm step): that flow is not done, so a
        card taken back while reading the guide must not end the citizen's session."""
        return self.state.return_to is not None

    def draw(self) -> None:
        lang = self.app.lang
        page = self.flow.page(lang)
        if page is None:  # shown without an item (never by a tap): nothing to print
            self.print_text = self.app.tr(PRINT_BUTTON[SlipState.IDLE], lang)
            self.print_disabled = True
            return
        if self._drawn != (page.item_id, lang):
            self._draw_page(page)
            self._drawn = (page.item_id, lang)
            self.ids.scroll.scroll_y = 1
        self._draw_slip()

    def _draw_page(self, page: GuidePage) -> None:
        app, lang = self.app, self.app.lang
        self.item_title = page.title
        self.kind_line = f"{page.kind} · {page.category}"
        self.cross_region = page.cross_region
        for name in ("legal", "promised", "fee", "windows", "department", "hours", "delivery",
                     "bundle_note"):
            setattr(self, name, getattr(page, name))
        lines = page.conditions or (app.tr("无特别条件", lang),)
        # a no-break space: Kivy wraps at spaces, and a Chinese line has no other
        for label, line in zip(self._pooled(self._conditions, BodyLabel, len(lines),
                                            self.ids.conditions), lines, strict=True):
            label.text = f"·\u00a0{line}"
        for row, material in zip(self._pooled(self._materials, GuideMaterial,
                                              len(page.materials), self.ids.materials),
                                 page.materials, strict=True):
            row.name_ident = f"guide_material_{material.id}"
            row.name, row.form, row.note = material.name, material.form, material.note
            row.deferrable = material.deferrable
        targets = page.members or page.part_of
        for button, link in zip(self._pooled(self._links, self._link_button, len(targets),
                                             self.ids.links), targets, strict=True):
            button.ident, button.text, button.target = f"guide_link_{link.id}", link.name, link.id
        url = guide_url(app.ctx.config.hall, page.item_id)
        if url not in self._qr:
            self._qr[url] = qr_texture(url)
        self.qr = self._qr[url]

    def _link_button(self) -> KioskButton:
        button = KioskButton(role="secondary")
        button.bind(on_release=lambda b: self.follow(b.target))
        return button

    @staticmethod
    def _pooled(pool: list[Any], make: Any, n: int, box: Any) -> list[Any]:
        """``n`` widgets from ``pool`` (made when it has fewer), shown in ``box`` in order."""
        while len(pool) < n:
            pool.append(make())
        wanted = pool[:n]
        if list(reversed(box.children)) != wanted:
            box.clear_widgets()
            for widget in wanted:
                box.add_widget(widget)
        return wanted

    def _draw_slip(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        slip = state.slip
        self.print_text = app.tr(PRINT_BUTTON[slip], lang)
        if not self.flow.can_print:
            self.print_disabled, status, tone = True, NO_PRINTER, theme.TEXT_MUTED
        elif slip is SlipState.FAILED:
            self.print_disabled = not state.reprint_ready
            tone = theme.OK if state.reprint_ready else theme.WARNING
            status = SLIP_BACK if state.reprint_ready else SLIP_PROBLEM[
                state.slip_problem or SlipProblem.OFFLINE]
        else:
            self.print_disabled = slip is SlipState.PRINTING
            status = SLIP_STATUS[slip]
            tone = theme.OK if slip is SlipState.PRINTED else theme.TEXT_MUTED
        self.slip_text = app.tr(status, lang)
        self.slip_tone = list(tone)

    # ---- taps -------------------------------------------------------------------------------
    def print_slip(self) -> None:
        self.flow.print_slip()

    def follow(self, item_id: str) -> None:
        self.flow.follow(item_id)  # the page redraws from the flow's change, at its top

    def go_back(self) -> bool:
        """返回 (the bar's or the bottom's): the flow says whether to stay, return or list."""
        target = self.flow.back()
        if target is not None:
            self.app.go(target)
        elif self.state.step is not GuideStep.ITEM:
            self.app.go("guide_items")
        return True
