"""The open door: which one (number, and lit in the drawing of the cabinet), what to do, and how
it ended — taken, not taken (the code still works), left open, received, nothing put in, a door
that did not open, or no free compartment.

The flow reads the door while this view is shown (``tick``) and settles it when it closes; the
view keeps the citizen's session alive while the door is open (nobody should be timed out in
front of an open compartment). 完成 ends the session.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows.locker_state import LockerResult, LockerStep
from kiosk.i18n import N_
from screens.locker_common import LockerView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

HEADINGS = {  # msgids
    LockerResult.PICKED_UP: N_("取件完成"),
    LockerResult.NOT_TAKEN: N_("您还没有取出物品"),
    LockerResult.RECEIVED: N_("投递成功"),
    LockerResult.NOTHING_PUT: N_("柜内没有物品"),
    LockerResult.DOOR_FAULT: N_("柜门未能打开"),
    LockerResult.FULL: N_("暂无空闲柜格"),
}
MESSAGES = {
    LockerResult.PICKED_UP: N_("请带好您的物品和凭条"),
    LockerResult.NOT_TAKEN: N_("柜门已关闭，物品仍在柜中。取件码仍然有效，可重新输入取件码开柜"),
    LockerResult.RECEIVED: N_("材料已存入 {door} 号柜，请带好投递回执"),
    LockerResult.NOTHING_PUT: N_("柜门已关闭，没有收到材料。如需投递，请重新操作"),
    LockerResult.DOOR_FAULT:
        N_("{door} 号柜门故障，已停用并通知工作人员，柜内物品不会丢失。请在工作时间到服务台办理"),
    LockerResult.FULL: N_("该尺寸的柜格已满，请选择其他尺寸，或在工作时间到服务台办理"),
}


class LockerDoorScreen(LockerView):
    title = StringProperty("文件柜")
    heading = StringProperty("")
    message = StringProperty("")
    door = StringProperty("")
    place = StringProperty("")  # where the door is, in words (colour is never the only cue)
    finished = BooleanProperty(False)
    warning = BooleanProperty(False)

    def on_kv_post(self, base_widget: object) -> None:
        self.ids.cabinet.set_cabinet(self.app.ctx.services["lockers"].cabinet)

    def enter(self) -> None:
        self.ids.scroll.scroll_y = 1

    def draw(self) -> None:
        app, lang, s = self.app, self.app.lang, self.state
        number = s.compartment or 0
        self.door = str(number) if number else ""
        self.ids.cabinet.lit = number if s.result is not LockerResult.DOOR_FAULT else 0
        self.place = ""
        if number and s.step is LockerStep.DOOR_OPEN:
            c = self.app.ctx.services["lockers"].cabinet.get(number)
            self.place = app.tr("{cabinet} 柜，左起第 {column} 列，从上往下第 {row} 格", lang,
                                cabinet=c.cabinet, column=c.place_column, row=c.place_row)
        self.finished = s.step is LockerStep.RESULT
        self.warning = s.left_open or s.result in (LockerResult.NOT_TAKEN,
                                                   LockerResult.DOOR_FAULT,
                                                   LockerResult.NOTHING_PUT, LockerResult.FULL)
        if s.step is LockerStep.OPENING:
            self.heading, self.message = app.tr("正在打开柜门…", lang), ""
        elif s.step is LockerStep.DOOR_OPEN:
            self.heading = app.tr("{door} 号柜门已打开", lang, door=number)
            if s.left_open:
                self.message = app.tr("柜门仍然开着，请关好柜门。工作人员已收到提醒", lang)
            elif s.journey == "pickup":
                self.message = app.tr("请取出物品，然后关好柜门", lang)
            else:
                self.message = app.tr("请放入材料，然后关好柜门", lang)
        elif s.result is not None:
            self.heading = app.tr(HEADINGS[s.result], lang)
            self.message = app.tr(MESSAGES[s.result], lang, door=number)

    def tick(self, now: float) -> None:
        if self.state.step is LockerStep.DOOR_OPEN:
            self.app.note_activity()  # never time out in front of an open door
        self.flow.tick(now)

    def done(self) -> None:
        self.app.ctx.sessions.end("locker_done")
        self.app.go_home()
