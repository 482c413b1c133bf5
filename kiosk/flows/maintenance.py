"""The technician's maintenance mode as a flow: PIN pad, pages, device tests, changes, exit.

Entry is the hidden corner on home, then the PIN (checked off the UI thread with its attempt
limit and lockout by ``kiosk.maintenance.pins``). Inside, each page's figures are read off the
UI thread through the ``MaintenanceDesk``; device changes are validated, written and applied
there. The mode ends by 退出维护, or by the kiosk's idle timeout (the citizen session ends and
``reset`` leaves the mode, audited), and always returns to the citizen home. The state never
holds a PIN or a citizen's data; a test card read on the devices page is shown to the
technician (every field, as the diagnostics command does) and never logged. Never imports Kivy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from drivers.idcard.base import IdCard
from kiosk.events import EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.flows.maintenance_state import (
    DoorRow,
    MaintPage,
    MaintState,
    MaintStep,
    Notice,
    PinStage,
)
from kiosk.i18n import N_, Msg
from kiosk.maintenance.desk import MaintenanceDesk, MaintenanceRefusal
from kiosk.maintenance.pins import PIN_MAX, PIN_MIN, PinFormatError, PinResult, PinVerdict
from kiosk.session import SessionKeeper

log = logging.getLogger(__name__)

CARD_FIELDS = (("name", N_("姓名")), ("sex", N_("性别")), ("nation", N_("民族")),
               ("birth_date", N_("出生")), ("address", N_("住址")),
               ("id_number", N_("公民身份号码")), ("issuer", N_("签发机关")),
               ("valid_from", N_("有效期起")), ("valid_until", N_("有效期至")),
               ("card_type", N_("证件类型")), ("name_en", N_("英文姓名")),
               ("nationality", N_("国籍")), ("photo", N_("照片")))


class MaintenanceFlow(Flow[MaintState]):
    name = "maintenance"

    def __init__(self, *, bus: EventBus, worker: Worker, desk: MaintenanceDesk,
                 sessions: SessionKeeper | None = None) -> None:
        super().__init__(bus, worker, MaintState(), sessions)
        self.desk = desk
        self._digits: list[str] = []
        self._new_pin = ""

    # ---- entry: the PIN pad -------------------------------------------------------------
    def open_pad(self) -> None:
        """The corner gesture on home: show the pad (or say no PIN is set)."""
        self._digits.clear()
        self._change(step=MaintStep.PIN, pin_stage=PinStage.ENTER, pin_length=0, notice=None,
                     checking=False)
        self._run(self.desk.pins.is_set, self._pin_is_set)

    def _pin_is_set(self, outcome: Outcome[bool]) -> None:
        if outcome.error is not None or not outcome.value:
            self._change(notice=Notice(N_("未设置维护密码：请在终端运行 kiosk maintenance set-pin"),
                                       error=True))

    def digit(self, d: str) -> None:
        if self.state.checking or not (len(d) == 1 and d.isdigit()):
            return
        if len(self._digits) < PIN_MAX:
            self._digits.append(d)
        self._change(pin_length=len(self._digits), notice=None)

    def erase(self) -> None:
        if self._digits:
            self._digits.pop()
        self._change(pin_length=len(self._digits))

    def clear_pin(self) -> None:
        self._digits.clear()
        self._change(pin_length=0)

    def submit_pin(self) -> None:
        if self.state.checking:
            return
        pin = "".join(self._digits)
        self._digits.clear()
        if len(pin) < PIN_MIN:
            self._change(pin_length=0, notice=Notice(N_("请输入 {n} 至 {m} 位数字密码"),
                                                     (("n", PIN_MIN), ("m", PIN_MAX)), True))
            return
        stage = self.state.pin_stage
        self._change(pin_length=0, checking=True)
        if stage is PinStage.ENTER:
            now = self.desk.clock.now()
            self._run(lambda: self.desk.pins.check(pin, now), self._checked)
        elif stage is PinStage.CURRENT:
            self._run(lambda: self.desk.pins.verify_only(pin), self._current_checked)
        elif stage is PinStage.NEW:
            self._new_pin = pin
            self._change(checking=False, pin_stage=PinStage.REPEAT,
                         notice=Notice(N_("请再次输入新密码")))
        else:
            self._repeat(pin)

    def _checked(self, outcome: Outcome[PinVerdict]) -> None:
        verdict = outcome.value
        if outcome.error is not None or verdict is None:
            log.error("maintenance: the PIN could not be checked: %s",
                      type(outcome.error).__name__)
            self._change(checking=False,
                         notice=Notice(N_("暂时无法验证密码，请稍后再试"), error=True))
            return
        if verdict.result is PinResult.OK:
            self.desk.entered()
            self._change(checking=False, step=MaintStep.OPEN, locked_until=None, notice=None)
            self.show(MaintPage.DEVICES)
        elif verdict.result is PinResult.WRONG:
            self._change(checking=False, notice=Notice(
                N_("密码错误，还可尝试 {n} 次"), (("n", verdict.attempts_left),), True))
        elif verdict.result is PinResult.LOCKED:
            self._change(checking=False, locked_until=verdict.locked_until, notice=Notice(
                N_("错误次数过多，已锁定至 {time}"),
                (("time", self._local(verdict.locked_until)),), True))
        else:
            self._change(checking=False, notice=Notice(
                N_("未设置维护密码：请在终端运行 kiosk maintenance set-pin"), error=True))

    def _local(self, at: datetime | None) -> str:
        return at.astimezone(self.desk.tz).strftime("%H:%M:%S") if at else ""

    # ---- changing the PIN inside the mode ------------------------------------------------
    def start_pin_change(self) -> None:
        self._digits.clear()
        self._new_pin = ""
        self._change(page=MaintPage.PIN, pin_stage=PinStage.CURRENT, pin_length=0,
                     notice=Notice(N_("请输入当前密码")))

    def _current_checked(self, outcome: Outcome[bool]) -> None:
        if outcome.value:
            self._change(checking=False, pin_stage=PinStage.NEW,
                         notice=Notice(N_("请输入新密码（{n} 至 {m} 位数字）"),
                                       (("n", PIN_MIN), ("m", PIN_MAX))))
        else:
            self._change(checking=False, notice=Notice(N_("当前密码不正确"), error=True))

    def _repeat(self, pin: str) -> None:
        new, self._new_pin = self._new_pin, ""
        if pin != new:
            self._change(checking=False, pin_stage=PinStage.NEW,
                         notice=Notice(N_("两次输入的新密码不一致，请重新输入新密码"), error=True))
            return
        now = self.desk.clock.now()
        self._run(lambda: self.desk.pins.set_pin(new, now, how="kiosk"), self._pin_changed)

    def _pin_changed(self, outcome: Outcome[None]) -> None:
        if isinstance(outcome.error, PinFormatError):
            self._change(checking=False, pin_stage=PinStage.NEW,
                         notice=Notice(N_("请输入 {n} 至 {m} 位数字密码"),
                                       (("n", PIN_MIN), ("m", PIN_MAX)), True))
        elif outcome.error is not None:
            self._change(checking=False, notice=Notice(N_("密码未能保存，请稍后再试"), error=True))
        else:
            self._change(checking=False, pin_stage=PinStage.ENTER, page=MaintPage.DEVICES,
                         notice=Notice(N_("维护密码已更改")))
            self.show(MaintPage.DEVICES)

    # ---- pages ---------------------------------------------------------------------------
    def show(self, page: MaintPage) -> None:
        if self.state.step is not MaintStep.OPEN:
            return
        if page is MaintPage.PIN:
            self.start_pin_change()
            return
        self._change(page=page, card=(), scanned="", editing="", draft=(), preview=False)
        self.refresh()

    def refresh(self) -> None:
        """Read the shown page's figures again (off the UI thread)."""
        page, desk, state = self.state.page, self.desk, self.state
        loaders: dict[MaintPage, Callable[[], dict[str, Any]]] = {
            MaintPage.DEVICES: lambda: {"devices": tuple(desk.device_rows())},
            MaintPage.COUNTERS: lambda: {"counters": desk.counters.today(),
                                         "outbox": desk.outbox()},
            MaintPage.LOGS: lambda: {
                "logs": tuple(desk.logs(state.log_level, state.log_device)),
                "audit": tuple(desk.audit_lines(50))},
            MaintPage.CATALOGUE: lambda: {"catalogue": desk.catalogue_summary()},
            MaintPage.LOCKER: lambda: {"doors": self._doors(query=False)},
            MaintPage.REPORT: lambda: {},
        }
        loader = loaders.get(page)
        if loader is not None:
            self._work(N_("正在读取…"), loader)

    def _work(self, busy: str, job: Callable[[], dict[str, Any]],
              done: Msg | None = None) -> None:
        """Run ``job`` off the UI thread; its dict becomes state, a refusal the notice."""
        if self.state.step is not MaintStep.OPEN:
            return
        self._change(busy=busy)  # a msgid: the view shows it while the job runs

        def back(outcome: Outcome[dict[str, Any]]) -> None:
            if self.state.step is not MaintStep.OPEN:
                return
            if outcome.error is not None:
                self._change(busy="", notice=self._notice_of(outcome.error))
                return
            fields = dict(outcome.value or {})
            if done is not None:
                fields["notice"] = Notice.of(done)
            self._change(busy="", **fields)

        self._run(job, back)

    @staticmethod
    def _notice_of(error: BaseException) -> Notice:
        if isinstance(error, MaintenanceRefusal):
            return Notice.of(error.msg, error=True)
        zh = getattr(error, "message_zh", None)
        if isinstance(zh, str):  # a device's typed error: its Chinese text is a msgid
            return Notice(zh, error=True)
        log.warning("maintenance action failed: %s: %s", type(error).__name__, error)
        return Notice(N_("操作失败：{reason}"), (("reason", f"{type(error).__name__}: {error}"),),
                      True)

    # ---- devices: settings ---------------------------------------------------------------
    def edit(self, kind: str) -> None:
        self._change(editing=kind, draft=(), notice=None)
        self._work(N_("正在查找设备…"), lambda: {"ports": tuple(self.desk.ports())})

    def choose(self, key: str, value: object) -> None:
        draft = dict(self.state.draft)
        draft[key] = value
        self._change(draft=tuple(draft.items()))

    def cancel_edit(self) -> None:
        self._change(editing="", draft=())

    def save_device(self) -> None:
        kind, changes = self.state.editing, dict(self.state.draft)
        if not kind or not changes:
            self._change(notice=Notice(N_("没有要保存的更改")))
            return

        def job() -> dict[str, Any]:
            self.desk.change_device(kind, changes)
            return {"editing": "", "draft": (), "devices": tuple(self.desk.device_rows())}

        self._work(N_("正在保存并应用…"), job, Msg("设置已保存并生效"))

    # ---- devices: test on the spot -------------------------------------------------------
    def _testing(self) -> bool:
        return self.state.step is MaintStep.OPEN and self.state.page is MaintPage.DEVICES

    def card_inserted(self, card: IdCard) -> bool:
        """A card on the reader while the devices page is shown: every field, on screen only."""
        if not self._testing():
            return False
        fields = card.to_json()
        shown = tuple((label, str(fields[key])) for key, label in CARD_FIELDS
                      if fields.get(key) not in (None, ""))
        self._change(card=shown, notice=Notice(N_("读卡成功")))
        return True

    def card_unreadable(self, message_zh: str) -> bool:
        if not self._testing():
            return False
        self._change(card=(), notice=Notice(message_zh, error=True))
        return True

    def code_scanned(self, text: str) -> bool:
        if not self._testing():
            return False
        self._change(scanned=text, notice=Notice(N_("扫码成功")))
        return True

    def devices_changed(self) -> None:
        """A device's health changed: the devices page shows it at once."""
        if self._testing():
            self._change(devices=tuple(self.desk.device_rows()))

    def toggle_preview(self) -> None:
        """The live camera preview with the page outline (drawn by the view)."""
        if self._testing():
            self._change(preview=not self.state.preview)

    def print_test(self) -> None:
        self._work(N_("正在打印…"), lambda: {"paper": self.desk.print_test_page().value},
                   Msg("测试页已打印"))

    def ask_paper(self) -> None:
        self._work(N_("正在查询纸张…"), lambda: {"paper": self.desk.paper_status().value})

    # ---- counters ------------------------------------------------------------------------
    def new_roll(self) -> None:
        def job() -> dict[str, Any]:
            self.desk.counters.new_roll()
            return {"counters": self.desk.counters.today()}

        self._work(N_("正在保存…"), job, Msg("已更换新纸卷"))

    # ---- logs ------------------------------------------------------------------------------
    def filter_logs(self, level: str | None = None, device: str | None = None) -> None:
        changes: dict[str, Any] = {}
        if level is not None:
            changes["log_level"] = level
        if device is not None:
            changes["log_device"] = device
        self._change(**changes)
        self.refresh()

    # ---- catalogue -----------------------------------------------------------------------
    def reload_catalogue(self) -> None:
        self._work(N_("正在重新载入…"), lambda: {"catalogue": self.desk.reload_catalogue()},
                   Msg("目录已重新载入"))

    # ---- locker --------------------------------------------------------------------------
    def _doors(self, query: bool) -> tuple[DoorRow, ...]:
        marks = self.desk.door_marks()
        states = self.desk.door_states() if query else {}
        doors = sorted(set(states) | set(marks) | {self.state.door})
        return tuple(DoorRow(d, states.get(d, "unknown"), marks.get(d, False)) for d in doors)

    def step_door(self, delta: int) -> None:
        self._change(door=max(1, min(128, self.state.door + delta)))

    def open_door(self) -> None:
        door = self.state.door

        def job() -> dict[str, Any]:
            self.desk.open_door(door)
            return {"doors": self._doors(query=True)}

        self._work(N_("正在开门…"), job, Msg("{door} 号门已打开", door=door))

    def query_doors(self) -> None:
        self._work(N_("正在查询…"), lambda: {"doors": self._doors(query=True)})

    def mark_door(self, out_of_service: bool) -> None:
        door = self.state.door

        def job() -> dict[str, Any]:
            self.desk.mark_door(door, out_of_service)
            return {"doors": self._doors(query=False)}

        self._work(N_("正在保存…"), job, Msg("{door} 号门已停用", door=door) if out_of_service
                   else Msg("{door} 号门已恢复使用", door=door))

    # ---- health report -------------------------------------------------------------------
    def save_report(self) -> None:
        def job() -> dict[str, Any]:
            path, report = self.desk.save_report()
            try:
                self.desk.print_report(report)
            except Exception as exc:  # saved is what matters; the slip is a convenience
                return {"report_file": str(path),
                        "notice": Notice(N_("报告已保存，但未能打印：{reason}"),
                                         (("reason", getattr(exc, "message_zh", str(exc))),),
                                         True)}
            return {"report_file": str(path),
                    "notice": Notice(N_("报告已保存并打印，并将随心跳发送到大厅服务器"))}

        self._work(N_("正在生成报告…"), job)

    # ---- leaving ---------------------------------------------------------------------------
    def leave(self, reason: str = "exit") -> None:
        """退出维护: the citizens' kiosk again (audited); the view goes home."""
        was_open = self.state.step is MaintStep.OPEN
        self._digits.clear()
        self._new_pin = ""
        self.generation += 1  # answers still on their way are dropped
        self._state = self._initial
        if was_open:
            self.desk.mode.leave_maintenance()  # citizens' tiles open again at once
            self._run_detached(lambda: self.desk.audit("maintenance.exit", {"reason": reason}))
        self._change(step=MaintStep.CLOSED)

    def _run_detached(self, job: Callable[[], None]) -> None:
        def done(outcome: Outcome[None]) -> None:
            if outcome.error is not None:
                log.error("maintenance: the exit could not be audited: %s", outcome.error)

        self.worker.run(job, done)

    def reset(self) -> None:
        """The session ended (the idle timeout): leave the mode, never stay unlocked."""
        if self.state.step is not MaintStep.CLOSED:
            self.leave("timeout")
            return
        super().reset()
