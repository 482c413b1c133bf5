"""The technician's PIN pad: entering maintenance mode, and changing the PIN inside it.

Large digits, a row of dots for how many were typed (never the digits), 清除 and ⌫, and 确认 in
the bottom bar. The check (attempt limit, lockout) runs in the flow off the UI thread; this view
shows its verdict. Leaving for home cancels; a right PIN opens the maintenance pages.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.flows.maintenance_state import MaintPage, MaintStep, PinStage
from kiosk.i18n import N_
from kiosk.maintenance.pins import PIN_MAX
from screens.maint_common import MaintView, notice_text

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PROMPTS = {PinStage.ENTER: N_("请输入维护密码"), PinStage.CURRENT: N_("请输入当前密码"),
           PinStage.NEW: N_("请输入新密码"), PinStage.REPEAT: N_("请再次输入新密码")}


class MaintPinScreen(MaintView):
    title = StringProperty(N_("维护模式"))
    prompt = StringProperty("请输入维护密码")  # msgid
    dots = StringProperty("")
    message = StringProperty("")
    error = BooleanProperty(False)
    checking = BooleanProperty(False)
    typed = NumericProperty(0)

    def route(self) -> bool:
        state = self.state
        if state.step is MaintStep.CLOSED:
            self.app.go_home()
            return True
        if state.step is MaintStep.OPEN and state.page is not MaintPage.PIN:
            self.app.go("maint")
            return True
        return False

    def draw(self) -> None:
        state, app = self.state, self.app
        self.prompt = PROMPTS[state.pin_stage]
        self.typed = state.pin_length
        self.dots = " ".join("●" * state.pin_length + "○" * (PIN_MAX - state.pin_length))
        self.message = notice_text(app, state.notice, app.lang)
        self.error = bool(state.notice and state.notice.error)
        self.checking = state.checking

    def press(self, key: str) -> None:
        if key == "clear":
            self.flow.clear_pin()
        elif key == "erase":
            self.flow.erase()
        else:
            self.flow.digit(key)

    def confirm(self) -> None:
        self.flow.submit_pin()
