"""工作人员 at the locker: sign in (staff card or staff QR, then the PIN on the keypad), then
存件 (scan the case, choose the size, the door opens), 取回投递件 and 取回逾期件 (tap an item, its
door opens), each ending when the door closes (the sensors confirm).

One screen whose middle part shows the flow's step; the primary action of the step sits in the
bottom bar. Draws ``StaffFlow.state`` and forwards taps, cards and scans; decides nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows.base import FlowChanged
from kiosk.flows.locker_staff import StaffFlow, StaffState, StaffStep
from kiosk.i18n import N_
from kiosk.lockers.journal import Settled
from screens.locker_common import SIZE_NAMES, notice_text
from screens.queue_common import show_notice
from screens.widgets import BodyLabel, KioskButton, KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PROMPTS = {  # msgids per step
    StaffStep.SIGN_IN: N_("请刷工作人员卡，或扫描工作人员二维码"),
    StaffStep.PIN: N_("请输入工作人员密码"),
    StaffStep.MENU: N_("请选择操作"),
    StaffStep.SCAN: N_("请扫描办件回执二维码或办件编号条码，并选择柜格大小"),
    StaffStep.LIST: N_("请选择要取出的物品"),
    StaffStep.OPENING: N_("正在打开柜门…"),
    StaffStep.DOOR_OPEN: N_("{door} 号柜门已打开，完成后请关好柜门"),
}
RESULTS = {
    Settled.COMPLETED: N_("已完成，柜门已关闭"),
    Settled.NOT_TAKEN: N_("柜门已关闭，但柜内仍有物品"),
    Settled.NOTHING_PUT: N_("柜门已关闭，柜内没有物品，未存入"),
    Settled.ROLLED_BACK: N_("操作未完成，请核对柜内物品"),
}


class LockerStaffScreen(KioskScreen):
    title = StringProperty("工作人员")
    prompt = StringProperty("")
    action = StringProperty("")  # msgid of the bottom-bar button, "" when none
    busy = BooleanProperty(False)
    pin_dots = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._notice_seen = 0
        self._drawn_step: StaffStep | None = None
        self._drawn: StaffState | None = None  # the state last drawn (frozen, replaced on change)
        super().__init__(**kwargs)
        self.app.ctx.bus.subscribe(FlowChanged, self._changed)
        self.app.bind(lang=lambda *_: self._shown() and self.draw())

    def on_kv_post(self, base_widget: object) -> None:
        self.ids.keypad.on_key = self.key
        self.ids.cabinet.set_cabinet(self.app.ctx.services["lockers"].cabinet)

    @property
    def flow(self) -> StaffFlow:
        return self.app.ctx.flows.locker_staff  # type: ignore[no-any-return]

    @property
    def state(self) -> StaffState:
        return self.flow.state

    def _shown(self) -> bool:
        return self.manager is not None and self.manager.current == self.name

    def on_pre_enter(self, *_: object) -> None:
        self.ids.scroll.scroll_y = 1
        self.flow.start()
        notice = self.state.notice
        self._notice_seen = notice.serial if notice else 0
        self.draw()

    def _changed(self, event: FlowChanged) -> None:
        if event.flow != StaffFlow.name or not self._shown():
            return
        if self.state is not self._drawn:  # the start's own change arrives after enter drew it
            self.draw()
        notice = self.state.notice
        if notice is not None and notice.serial > self._notice_seen:
            self._notice_seen = notice.serial
            show_notice(*notice_text(self.app, notice))

    def draw(self) -> None:
        app, lang, s = self.app, self.app.lang, self.state
        self._drawn = s
        step = s.step
        self.busy = s.busy
        self.pin_dots = "•" * s.pin_length
        show_keypad = step is StaffStep.PIN
        self.ids.keypad.opacity = 1 if show_keypad else 0
        self.ids.keypad.disabled = not show_keypad
        self.ids.keypad.size_hint_y = None
        self.ids.keypad.height = self.ids.keypad.minimum_height if show_keypad else 0
        door_step = step in (StaffStep.DOOR_OPEN, StaffStep.RESULT) and s.compartment
        self.ids.cabinet.opacity = 1 if door_step else 0
        self.ids.cabinet.height = ((470 if app.landscape else 860)
                                   * min(app.font_scale, 1.15)) if door_step else 0
        self.ids.cabinet.lit = 0 if s.door_fault else (s.compartment or 0)
        if step is StaffStep.RESULT:
            self.prompt = (app.tr("{door} 号柜门故障，已停用", lang, door=s.compartment)
                           if s.door_fault else app.tr(RESULTS[s.result or Settled.COMPLETED],
                                                       lang))
        elif step is StaffStep.LIST and s.task == "faults":
            self.prompt = app.tr("停用的柜门及柜内物品", lang)
        else:
            self.prompt = app.tr(PROMPTS[step], lang, door=s.compartment or "")
        if step is not self._drawn_step:  # a new step starts at its top
            self._drawn_step = step
            self.ids.scroll.scroll_y = 1
        self.action = {StaffStep.PIN: N_("登录"), StaffStep.SCAN: N_("打开柜门"),
                       StaffStep.RESULT: N_("返回菜单"),
                       StaffStep.LIST: N_("返回菜单")}.get(step, "")
        self._choices(step)

    def _choices(self, step: StaffStep) -> None:
        """The buttons of the step: the menu, the sizes (with the scanned case) or the items."""
        app, lang, s = self.app, self.app.lang, self.state
        box = self.ids.choices
        box.clear_widgets()
        if step is StaffStep.MENU:
            for ident, msgid, action in (
                    ("locker_staff_deposit", N_("存件"), self.flow.choose_deposit),
                    ("locker_staff_empty", N_("取回投递件"), self.flow.choose_empty),
                    ("locker_staff_take_back", N_("取回逾期件"), self.flow.choose_take_back),
                    ("locker_staff_faults", N_("故障柜门"), self.flow.choose_faults)):
                button = KioskButton(text=app.tr(msgid, lang), ident=ident, role="secondary")
                button.bind(on_release=lambda _b, a=action: a())
                box.add_widget(button)
        elif step is StaffStep.SCAN:
            case = s.case
            label = BodyLabel(halign="center", text=(
                app.tr("办件：{case}", lang, case=case.case_number or case.case_id or "")
                if case else app.tr("尚未扫描办件", lang)))
            label.ident = "locker_staff_case"
            box.add_widget(label)
            for size in ("S", "M", "L"):
                button = KioskButton(text=app.tr(SIZE_NAMES[size], lang),
                                     ident=f"locker_staff_size_{size}",
                                     role="selected" if s.size == size else "secondary")
                button.bind(on_release=lambda _b, z=size: self.flow.choose_size(z))
                box.add_widget(button)
        elif step is StaffStep.LIST and s.task == "faults":
            if not s.faults and not s.busy:
                box.add_widget(BodyLabel(halign="center", text=app.tr("没有故障柜门", lang)))
            for door, _fault, holds in s.faults:
                msgid = (N_("{door} 号柜：已停用，柜内有物品，请人工取出") if holds
                         else N_("{door} 号柜：已停用，柜内无登记物品"))
                line = BodyLabel(halign="center", text=app.tr(msgid, lang, door=door))
                line.ident = f"locker_staff_fault_{door}"
                box.add_widget(line)
        elif step is StaffStep.LIST:
            if not s.items and not s.busy:
                box.add_widget(BodyLabel(halign="center", text=app.tr("没有需要取出的物品", lang)))
            for item in s.items:
                text = app.tr("{door} 号柜 · {case}", lang, door=item.compartment,
                              case=item.case_number or item.service_item or "")
                button = KioskButton(text=text, ident=f"locker_staff_item_{item.compartment}",
                                     role="secondary")
                button.bind(on_release=lambda _b, i=item.id: self.flow.open_item(i))
                box.add_widget(button)

    # ---- events and taps ----------------------------------------------------------------------
    def card_inserted(self, card: Any) -> bool:
        return self.flow.card_inserted(card)

    def card_removed(self) -> bool:
        return True

    def code_scanned(self, code: Any) -> bool:
        return self.flow.code_scanned(str(getattr(code, "text", code)))

    def key(self, key: str) -> None:
        if key == "back":
            self.flow.backspace()
        elif key == "clear":
            for _ in range(self.state.pin_length):
                self.flow.backspace()
        else:
            self.flow.press(key)

    def act(self) -> None:
        step = self.state.step
        if step is StaffStep.PIN:
            self.flow.submit_pin()
        elif step is StaffStep.SCAN:
            self.flow.deposit()
        else:
            self.flow.back_to_menu()

    def tick(self, now: float) -> None:
        if self.state.step is StaffStep.DOOR_OPEN:
            self.app.note_activity()
        self.flow.tick(now)
