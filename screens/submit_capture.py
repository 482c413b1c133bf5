"""自助申报, step 4: each material photographed by the camera, and what happens when the camera
fails.

The preview shows the camera's newest frame at about 15 frames a second with the page outline
the detector found drawn over it, the guidance in words (page found, hold still, too dark,
glare, too far, …) and how close an automatic capture is. The frame is read by the flow's
``capture_tick``, which also hands it to the detector on its own thread when that is free: the
preview is never delayed by detection. A taken page is shown straightened: 使用此页 or 重拍;
several pages per material (拍下一页); a material the item allows to follow later can be left
out (暂缺，承诺后补). When the camera stops, the flow keeps what was captured and the camera
screen offers a printed list, a queue ticket for a window, or trying the camera again.
Decides nothing; never keeps a frame after drawing it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.widget import Widget

from kiosk.flows.queue_state import PrintState
from kiosk.flows.submission_state import SubmitStep
from kiosk.i18n import N_
from screens import theme
from screens.submit_common import SubmitView, name_of

if TYPE_CHECKING:
    import numpy as np

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PREVIEW_FPS = 15.0
LOOKING = N_("请将材料平放在拍摄区内")
PRINT_TEXTS = {
    PrintState.PRINTING: N_("正在打印…"),
    PrintState.PRINTED: N_("已打印，请取走清单"),
    PrintState.FAILED: N_("打印机暂时无法打印，请拍照记下本页内容"),
}


class PagePreview(Widget):
    """A frame (or the taken page) fitted into the widget, with the page outline over it."""

    texture = ObjectProperty(None, allownone=True)
    frame_size = ListProperty([1280, 720])
    corners = ListProperty([])  # [(x, y)] * 4 in frame pixels, top-left first; [] = none
    ok = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas:
            Color(*theme.rgba("#2B2F36"))
            self._back = Rectangle()
            Color(1, 1, 1, 1)
            self._image = Rectangle()
            self._line_colour = Color(*theme.OK)
            self._line = Line(width=5, close=True)
        self.bind(pos=self._layout, size=self._layout, texture=self._layout,
                  frame_size=self._layout, corners=self._layout, ok=self._layout)

    def _layout(self, *_: object) -> None:
        fw, fh = self.frame_size
        self._back.pos, self._back.size = self.pos, self.size
        if not fw or not fh:
            return
        fit = min(self.width / fw, self.height / fh)
        dw, dh = fw * fit, fh * fit
        x0, y0 = self.x + (self.width - dw) / 2, self.y + (self.height - dh) / 2
        self._image.texture = self.texture
        self._image.pos, self._image.size = (x0, y0), (dw, dh)
        self._line_colour.rgba = theme.OK if self.ok else theme.rgba("#F2A33A")
        points: list[float] = []
        for x, y in self.corners:
            points += [x0 + x * fit, y0 + dh - y * fit]  # frame rows run top-down
        self._line.points = points


def frame_texture(texture: Texture | None, frame: np.ndarray) -> Texture:
    """Upload a BGR frame, reusing the texture while the size stays the same."""
    h, w = frame.shape[:2]
    if texture is None or tuple(texture.size) != (w, h):
        texture = Texture.create(size=(w, h), colorfmt="bgr")
        texture.flip_vertical()
    texture.blit_buffer(frame.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    return texture


def page_texture(jpeg: bytes) -> Texture:
    return CoreImage(io.BytesIO(jpeg), ext="jpg").texture


class SubmitCaptureScreen(SubmitView):
    title = StringProperty("拍摄材料")
    material_label = StringProperty("")
    progress_label = StringProperty("")
    guidance = StringProperty("")
    guidance_ok = BooleanProperty(False)
    steady = NumericProperty(0)
    confirming = BooleanProperty(False)
    armed = BooleanProperty(True)
    can_leave_out = BooleanProperty(False)
    can_next = BooleanProperty(False)
    can_more = BooleanProperty(False)
    next_label = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._texture: Texture | None = None
        self._page_for: bytes | None = None
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        # strong references: ids are weak proxies, and a bar off the tree would be collected
        self._bars = {True: self.ids.confirm_bar.__self__, False: self.ids.capture_bar.__self__}
        self.ids.bar_slot.clear_widgets()
        self._show_bar(False)

    def _show_bar(self, confirming: bool) -> None:
        slot, bar = self.ids.bar_slot, self._bars[confirming]
        if bar.parent is not slot:
            slot.clear_widgets()
            slot.add_widget(bar)

    def enter(self) -> None:
        self.flow.resume_capture()

    def on_enter(self, *_: object) -> None:
        Clock.unschedule(self._frame_tick)
        Clock.schedule_interval(self._frame_tick, 1 / PREVIEW_FPS)

    def on_leave(self, *_: object) -> None:
        Clock.unschedule(self._frame_tick)
        self._page_for = None
        self.ids.preview.texture = None


    def _frame_tick(self, _dt: float) -> None:
        frame = self.flow.capture_tick(self.app.now())
        if frame is None or self.confirming:
            return
        self._texture = frame_texture(self._texture, frame)
        preview = self.ids.preview
        preview.frame_size = [frame.shape[1], frame.shape[0]]
        if preview.texture is not self._texture:
            preview.texture = self._texture
        else:
            preview.canvas.ask_update()

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        material, current, plan = state.material, state.current, state.plan
        preview = self.ids.preview
        if material is None or current is None or plan is None:
            self.material_label = self.progress_label = self.guidance = ""
            return
        n = len(plan.materials)
        need = app.tr("必交", lang) if material.required else app.tr("可容缺后补", lang)
        self.material_label = app.tr("材料 {i}/{n}：{name}（{need}）", lang,
                                     i=state.material_index + 1, n=n,
                                     name=name_of(material, lang), need=need)
        self.progress_label = app.tr("已拍 {taken} 页，本材料约 {pages} 页", lang,
                                     taken=len(current.pages), pages=material.pages)
        self.confirming = state.step is SubmitStep.CONFIRM_PAGE
        self._show_bar(self.confirming)
        self.armed = state.armed
        self.can_leave_out = self.flow.can_leave_out() and not self.confirming
        self.can_next = bool(current.pages) and not self.confirming
        self.can_more = not state.armed and not self.confirming
        last = state.material_index + 1 >= n
        self.next_label = app.tr("完成拍摄", lang) if last else app.tr("下一项材料", lang)
        guidance = state.guidance
        if self.confirming and state.pending_page is not None:
            if self._page_for is not state.pending_page:
                self._page_for = state.pending_page
                texture = page_texture(state.pending_page)
                preview.texture = texture
                preview.frame_size = list(texture.size)
            preview.corners = []
            self.guidance = app.tr("请确认照片清晰、完整，文字可以看清", lang)
            self.guidance_ok = True
            self.steady = 0
            return
        self._page_for = None
        if self._texture is not None:
            preview.texture = self._texture
        if not state.armed:
            self.guidance = app.tr("已保存第{n}页。如有下一页，请翻页后点击“拍下一页”", lang,
                                   n=len(current.pages))
            self.guidance_ok = True
            preview.corners = []
            self.steady = 0
            return
        if guidance is None:
            self.guidance = app.tr(LOOKING, lang)
            self.guidance_ok = False
            preview.corners = []
            self.steady = 0
            return
        self.guidance = app.tr(guidance.message, lang)
        self.guidance_ok = guidance.ok
        self.steady = guidance.steady
        preview.frame_size = list(guidance.frame_size)
        preview.corners = list(guidance.corners or [])
        preview.ok = guidance.ok

    # ---- taps -------------------------------------------------------------------------------
    def accept(self) -> None:
        self.flow.accept_page()

    def retake(self) -> None:
        self.flow.retake()

    def more(self) -> None:
        self.flow.next_page()

    def leave_out(self) -> None:
        self.flow.next_material()

    def next_material(self) -> None:
        self.flow.next_material()


class SubmitCameraScreen(SubmitView):
    """The camera failed: what was captured is kept; continue at a window."""

    title = StringProperty("摄像头暂不可用")
    captured = StringProperty("")
    print_text = StringProperty("")
    printing = BooleanProperty(False)

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        lines = [app.tr("· {material}（{pages} 页）", lang, material=name_of(m.request, lang),
                        pages=len(m.pages)) for m in state.filed if m.pages]
        self.captured = "\n".join(lines) if lines else app.tr("（尚未拍摄材料）", lang)
        text = PRINT_TEXTS.get(state.print_state)
        self.print_text = app.tr(text, lang) if text else ""
        self.printing = state.print_state is PrintState.PRINTING

    def tick(self, now: float) -> None:
        self.flow.tick(now)

    def retry(self) -> None:
        if not self.flow.retry_camera():
            self.app.toast(self.app.tr("摄像头仍无法使用，请到窗口办理", self.app.lang))

    def print_list(self) -> None:
        self.flow.print_slip()

    def continue_at_window(self) -> None:
        """取号到窗口办理: the queue ticket journey, the card still read."""
        self.app.go("queue")
