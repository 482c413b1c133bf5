"""The maintenance pages: devices (settings, health, test on the spot), counters, logs,
catalogue, locker service, health report, and changing the PIN.

A tab strip picks the page; the page is drawn from ``MaintenanceFlow.state`` (widgets built in
code: lists of devices, ports, log lines); the page's main action and 退出维护 sit in a bottom
bar that never scrolls. Every choice of a setting is a button from what is detected or allowed
(no keyboard at the kiosk). A test card's fields are shown here for the technician and gone with
the page; they are never logged. Decisions, I/O and threads are the flow's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from config.schema import DRIVERS, STANDARD_BAUDS
from kiosk.flows.maintenance_state import MaintPage, MaintStep
from kiosk.i18n import N_, WEEKDAYS
from screens import theme
from screens.maint_common import HEALTH_WORDS, MaintView, notice_text
from screens.registry import DEVICE_NAMES, TILES
from screens.widgets import BodyLabel, HeadingLabel, KioskButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

TABS = ((MaintPage.DEVICES, N_("设备")), (MaintPage.COUNTERS, N_("计数")),
        (MaintPage.LOGS, N_("日志")), (MaintPage.CATALOGUE, N_("目录")),
        (MaintPage.LOCKER, N_("文件柜")), (MaintPage.REPORT, N_("健康报告")),
        (MaintPage.PIN, N_("修改密码")))
PRIMARY = {MaintPage.DEVICES: N_("刷新"), MaintPage.COUNTERS: N_("更换新纸卷"),
           MaintPage.LOGS: N_("刷新"), MaintPage.CATALOGUE: N_("重新载入目录"),
           MaintPage.LOCKER: N_("查询全部"), MaintPage.REPORT: N_("生成并打印报告")}
LEVELS = (("DEBUG", N_("全部级别")), ("INFO", N_("信息")), ("WARNING", N_("警告")),
          ("ERROR", N_("错误")))
SERIAL_KINDS = ("idcard", "scanner", "printer", "locker")
PAPER_WORDS = {"ok": N_("纸张正常"), "near_end": N_("纸张将尽"), "out": N_("缺纸"),
               "offline": N_("打印机未连接")}
DOOR_WORDS = {"open": N_("开"), "closed": N_("关"), "unknown": N_("未查询")}


class MaintScreen(MaintView):
    title = StringProperty(N_("维护模式"))
    notice = StringProperty("")
    notice_error = BooleanProperty(False)
    primary = StringProperty("")  # msgid of the page's main action
    busy = BooleanProperty(False)
    _page: MaintPage | None = None
    _editing = ""
    _camera_preview: Any = None

    def route(self) -> bool:
        state = self.state
        if state.step is not MaintStep.OPEN:
            self.app.go_home()
            return True
        if state.page is MaintPage.PIN:
            self.app.go("maint_pin")
            return True
        return False

    def on_pre_enter(self, *_: object) -> None:
        self._page = None  # scroll to the top on entry
        super().on_pre_enter()

    # ---- drawing --------------------------------------------------------------------------
    def tr(self, msgid: str, **fmt: object) -> str:
        return str(self.app.tr(msgid, self.app.lang, **fmt))

    def draw(self) -> None:
        state = self.state
        self.busy = bool(state.busy)
        self.notice = (self.tr(state.busy) if state.busy
                       else notice_text(self.app, state.notice, self.app.lang))
        self.notice_error = bool(not state.busy and state.notice and state.notice.error)
        self.primary = (N_("保存并应用") if state.editing and state.page is MaintPage.DEVICES
                        else PRIMARY.get(state.page, ""))
        self._draw_tabs()
        if not state.editing:
            self._editing = ""
        if not state.preview:
            self._camera_preview = None
        box, scroll = self.ids.page, self.ids.scroll
        # keep the technician's place when the page is redrawn with more or less in it
        hidden = max(0.0, box.height - scroll.height)
        from_top = (1 - scroll.scroll_y) * hidden
        box.clear_widgets()
        {MaintPage.DEVICES: self._devices, MaintPage.COUNTERS: self._counters,
         MaintPage.LOGS: self._logs, MaintPage.CATALOGUE: self._catalogue,
         MaintPage.LOCKER: self._locker, MaintPage.REPORT: self._report,
         }.get(state.page, lambda _b: None)(box)
        if self._page is not state.page:
            self._page = state.page
            from_top = 0.0
        box.do_layout()
        box.height = box.minimum_height
        hidden = max(0.0, box.height - scroll.height)
        scroll.scroll_y = min(1.0, max(0.0, 1 - from_top / hidden)) if hidden else 1.0

    def _draw_tabs(self) -> None:
        tabs = self.ids.tabs
        tabs.clear_widgets()
        for page, msgid in TABS:
            tabs.add_widget(self._button(msgid, f"maint_tab_{page.value}",
                                         lambda p=page: self.flow.show(p),
                                         selected=self.state.page is page))

    def _button(self, msgid_or_text: str, ident: str, action: Callable[[], None], *,
                selected: bool = False, translate: bool = True,
                role: str = "secondary") -> KioskButton:
        text = self.tr(msgid_or_text) if translate else msgid_or_text
        button = KioskButton(text=text, ident=ident, role="selected" if selected else role)
        button.font_size = theme.FONT_SMALL * self.app.font_scale
        button.disabled = bool(self.state.busy)
        button.bind(on_release=lambda _b: action())
        return button

    def _grid(self, widgets: list[Widget], cols: int = 3) -> GridLayout:
        grid = GridLayout(cols=cols, spacing=16, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for w in widgets:
            grid.add_widget(w)
        return grid

    @staticmethod
    def _text(text: str, *, ident: str = "", muted: bool = False, small: bool = False,
              danger: bool = False) -> BodyLabel:
        label = BodyLabel(text=text)
        if ident:
            label.ident = ident  # type: ignore[attr-defined]
        if small:
            label.font_size = theme.FONT_SMALL * label.font_size / theme.FONT_BODY
        label.color = theme.DANGER if danger else theme.TEXT_MUTED if muted else theme.TEXT
        return label

    def _pairs(self, rows: list[tuple[str, str]], ident: str = "") -> BoxLayout:
        """Label/value rows in two columns, each growing to its text."""
        box = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8)
        box.bind(minimum_height=box.setter("height"))
        for i, (label, value) in enumerate(rows):
            row = BoxLayout(size_hint_y=None, spacing=24)
            key = self._text(label, muted=True)
            key.size_hint_x = 0.4
            val = self._text(value, ident=f"{ident}_{i}" if ident else "")
            row.add_widget(key)
            row.add_widget(val)
            row.bind(minimum_height=row.setter("height"))
            key.bind(height=lambda _w, _h, r=row, k=key, v=val: setattr(
                r, "height", max(k.height, v.height)))
            val.bind(height=lambda _w, _h, r=row, k=key, v=val: setattr(
                r, "height", max(k.height, v.height)))
            box.add_widget(row)
        return box

    # ---- devices --------------------------------------------------------------------------
    def _devices(self, box: BoxLayout) -> None:
        state = self.state
        if state.card:
            box.add_widget(HeadingLabel(text=self.tr("读卡测试结果（仅供维护人员核对，不会记录）")))
            box.add_widget(self._pairs([(self.tr(label), value) for label, value in state.card],
                                       ident="maint_card"))
        if state.scanned:
            box.add_widget(HeadingLabel(text=self.tr("扫码测试结果")))
            box.add_widget(self._text(state.scanned, ident="maint_scanned"))
        if state.paper:
            box.add_widget(self._text(self.tr("打印机：{paper}", paper=self.tr(
                PAPER_WORDS.get(state.paper, "打印机未连接"))), ident="maint_paper_state"))
        for row in state.devices:
            name = self.tr(DEVICE_NAMES.get(row.kind, row.kind))
            health = self.tr(HEALTH_WORDS.get(row.state, "未知"))
            heading = HeadingLabel(text=f"{name} · {health}")
            heading.ident = f"maint_device_{row.kind}"  # type: ignore[attr-defined]
            if row.state != "ok":
                heading.color = theme.DANGER
            box.add_widget(heading)
            box.add_widget(self._text(self.tr("驱动 {driver}，端口 {port}，波特率 {baud}",
                                              driver=row.driver, port=row.port or "-",
                                              baud=row.baud), small=True))
            if row.settings:
                box.add_widget(self._text(self.tr("设置：{settings}", settings="，".join(
                    f"{k}={v}" for k, v in row.settings.items())), small=True, muted=True))
            if row.reason:
                box.add_widget(self._text(row.reason, small=True, danger=True,
                                          ident=f"maint_reason_{row.kind}"))
            box.add_widget(self._grid(self._device_actions(row.kind)))
            if row.kind == "camera" and state.preview:
                self._preview(box)
            if state.editing == row.kind:
                self._edit_panel(box, row)

    def _device_actions(self, kind: str) -> list[Widget]:
        actions = [self._button(N_("更改设置"), f"maint_edit_{kind}", lambda: self.flow.edit(kind))]
        if kind == "printer":
            actions += [self._button(N_("打印测试页"), "maint_print_test", self.flow.print_test),
                        self._button(N_("查询纸张"), "maint_paper", self.flow.ask_paper)]
        elif kind == "idcard":
            actions.append(self._text(self.tr("放上身份证即可测试读卡"), muted=True, small=True))
        elif kind == "scanner":
            actions.append(self._text(self.tr("扫描任意条码即可测试"), muted=True, small=True))
        elif kind == "camera":
            actions.append(self._button(N_("关闭预览") if self.state.preview else N_("摄像头预览"),
                                        "maint_camera_preview", self.flow.toggle_preview))
        elif kind == "locker":
            actions.append(self._button(N_("开门测试"), "maint_go_locker",
                                        lambda: self.flow.show(MaintPage.LOCKER)))
        return actions

    def _preview(self, box: BoxLayout) -> None:
        """The live preview, kept across redraws (a new one would restart its clock)."""
        from screens.maint_preview import CameraPreview

        if self._camera_preview is None:
            self._camera_preview = CameraPreview(self.app.ctx.devices.get("camera"))
            self._camera_preview.ident = "maint_preview"  # type: ignore[attr-defined]
        elif self._camera_preview.parent is not None:
            self._camera_preview.parent.remove_widget(self._camera_preview)
        box.add_widget(self._text(self.tr("绿色框为检测到的页面"), muted=True, small=True))
        box.add_widget(self._camera_preview)

    def _edit_panel(self, box: BoxLayout, row: Any) -> None:
        state, kind = self.state, row.kind
        heading = HeadingLabel(text=self.tr("更改设置：{device}",
                                            device=self.tr(DEVICE_NAMES.get(kind, kind))))
        box.add_widget(heading)
        if self._editing != kind:  # just opened: bring it into view once laid out
            self._editing = kind
            Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(heading, padding=20,
                                                                     animate=False), 0.05)
        driver = str(state.draft_value("driver", row.driver))
        box.add_widget(self._text(self.tr("驱动"), muted=True))
        box.add_widget(self._grid([self._button(d, f"maint_driver_{d}", lambda d=d:
                                                self.flow.choose("driver", d),
                                                selected=d == driver, translate=False)
                                   for d in DRIVERS[kind]]))
        port = str(state.draft_value("port", row.port))
        wanted = "camera" if kind == "camera" else "serial"
        ports = [p for p in state.ports if p.kind == wanted or
                 (kind == "printer" and p.kind == "usb-printer")]
        if kind == "camera":
            index = str(state.draft_value("settings.index", row.settings.get("index", 0)))
            box.add_widget(self._text(self.tr("摄像头"), muted=True))
            box.add_widget(self._grid([self._button(
                p.device, f"maint_camera_{i}", lambda p=p: self.flow.choose(
                    "settings.index", p.device), selected=p.device == index, translate=False)
                for i, p in enumerate(ports)], cols=2) if ports else
                self._text(self.tr("未检测到摄像头"), danger=True))
        else:
            box.add_widget(self._text(self.tr("连接（当前：{port}）", port=port or "-"),
                                      muted=True))
            box.add_widget(self._grid([self._button(
                f"{p.device}\n{p.description}" if p.description else p.device,
                f"maint_port_{i}", lambda p=p: self.flow.choose("port", p.device),
                selected=p.device == port, translate=False) for i, p in enumerate(ports)],
                cols=2) if ports else self._text(self.tr("未检测到串口设备"), danger=True))
        if kind in SERIAL_KINDS:
            baud = int(str(state.draft_value("baud", row.baud)))
            box.add_widget(self._text(self.tr("波特率"), muted=True))
            box.add_widget(self._grid([self._button(str(b), f"maint_baud_{b}", lambda b=b:
                                                    self.flow.choose("baud", b),
                                                    selected=b == baud, translate=False)
                                       for b in STANDARD_BAUDS]))
        if kind == "printer":
            self._choice(box, row, "settings.encoding", N_("编码"),
                         [("gb18030", "GB18030"), ("gbk", "GBK")])
            self._choice(box, row, "settings.chinese_mode", N_("中文模式"),
                         [(True, N_("开")), (False, N_("关"))])
            self._choice(box, row, "settings.paper_width_mm", N_("纸宽"),
                         [(80, "80 mm"), (58, "58 mm")])
        if kind == "locker":
            board = int(str(state.draft_value("settings.board", row.settings.get("board", 1))))
            box.add_widget(self._text(self.tr("板地址"), muted=True))
            box.add_widget(self._grid([
                self._button("−", "maint_board_minus",
                             lambda: self.flow.choose("settings.board", max(0, board - 1)),
                             translate=False),
                self._text(str(board), ident="maint_board_value"),
                self._button("+", "maint_board_plus",
                             lambda: self.flow.choose("settings.board", min(255, board + 1)),
                             translate=False)]))
        box.add_widget(self._grid([  # 保存并应用 is the bottom bar's primary action now
            self._button(N_("取消"), "maint_cancel", self.flow.cancel_edit)], cols=2))

    def _choice(self, box: BoxLayout, row: Any, key: str, label: str,
                options: list[tuple[object, str]]) -> None:
        current = self.state.draft_value(key, row.settings.get(key.split(".", 1)[1]))
        box.add_widget(self._text(self.tr(label), muted=True))
        name = key.split(".", 1)[1]
        box.add_widget(self._grid([self._button(
            text, f"maint_set_{name}_{value}", lambda v=value: self.flow.choose(key, v),
            selected=value == current, translate=not text.isascii())
            for value, text in options]))

    # ---- counters -------------------------------------------------------------------------
    def _counters(self, box: BoxLayout) -> None:
        c, o = self.state.counters, self.state.outbox
        if c is None:
            return
        box.add_widget(HeadingLabel(text=self.tr("今日（{day}）", day=c.day.isoformat())))
        box.add_widget(self._pairs([
            (self.tr("取号"), str(c.tickets_issued)),
            (self.tr("打印凭条"), str(c.receipts_printed)),
            (self.tr("读卡"), str(c.card_reads)),
            (self.tr("读卡失败"), str(c.card_failures)),
            (self.tr("解码失败"), str(c.decode_failures)),
            (self.tr("设备故障"), str(c.device_errors)),
        ], ident="maint_counter"))
        box.add_widget(HeadingLabel(text=self.tr("打印纸")))
        box.add_widget(self._pairs([
            (self.tr("本卷已用"), f"{c.paper_used_m:.2f} m"),
            (self.tr("本卷剩余"), f"{c.paper_left_m:.2f} m"),
        ], ident="maint_paper"))
        if c.paper_low:
            box.add_widget(self._text(self.tr("打印纸即将用完，请更换新纸卷"), danger=True,
                                      ident="maint_paper_low"))
        if o is not None:
            age = o.oldest_pending_age_s
            box.add_widget(HeadingLabel(text=self.tr("上传大厅")))
            box.add_widget(self._pairs([
                (self.tr("待上传"), str(o.pending)), (self.tr("滞留"), str(o.parked)),
                (self.tr("最早未上传"), "-" if age is None else self.tr("{s} 秒前", s=int(age))),
                (self.tr("最近同步"), o.last_sync.astimezone(self.app.ctx.tz).strftime(
                    "%Y-%m-%d %H:%M:%S") if o.last_sync else self.tr("从未"))],
                ident="maint_outbox"))

    # ---- logs -----------------------------------------------------------------------------
    def _logs(self, box: BoxLayout) -> None:
        state = self.state
        box.add_widget(self._grid([self._button(msgid, f"maint_level_{level}", lambda lv=level:
                                                self.flow.filter_logs(level=lv),
                                                selected=state.log_level == level)
                                   for level, msgid in LEVELS], cols=4))
        kinds = [("", N_("全部设备")), *((k, DEVICE_NAMES[k]) for k in DEVICE_NAMES)]
        box.add_widget(self._grid([self._button(msgid, f"maint_logdev_{kind or 'all'}",
                                                lambda k=kind: self.flow.filter_logs(device=k),
                                                selected=state.log_device == kind)
                                   for kind, msgid in kinds]))
        box.add_widget(HeadingLabel(text=self.tr("运行日志（最新在前）")))
        if not state.logs:
            box.add_widget(self._text(self.tr("没有符合条件的日志"), muted=True))
        for i, line in enumerate(state.logs[:100]):
            box.add_widget(self._text(f"{line.ts[11:19]} {line.level} {line.logger}: {line.msg}",
                                      small=True, danger=line.level in ("ERROR", "CRITICAL"),
                                      ident=f"maint_log_{i}"))
        box.add_widget(HeadingLabel(text=self.tr("审计日志")))
        for i, a in enumerate(state.audit[:50]):
            at = a.at.astimezone(self.app.ctx.tz).strftime("%m-%d %H:%M:%S")
            detail = " ".join(f"{k}={v}" for k, v in a.detail.items())
            box.add_widget(self._text(f"{at} {a.actor} {a.action} {detail}", small=True,
                                      ident=f"maint_audit_{i}"))

    # ---- catalogue ------------------------------------------------------------------------
    def _catalogue(self, box: BoxLayout) -> None:
        c = self.state.catalogue
        if c is None:
            return
        at = (c.loaded_at.astimezone(self.app.ctx.tz).strftime("%Y-%m-%d %H:%M:%S")
              if c.loaded_at else self.tr("启动时"))
        box.add_widget(HeadingLabel(text=self.tr("已载入的服务目录与办理时间")))
        box.add_widget(self._pairs([
            (self.tr("文件"), c.source), (self.tr("类别"), str(c.categories)),
            (self.tr("事项"), str(c.items)), (self.tr("窗口"), str(c.windows)),
            (self.tr("载入时间"), at)], ident="maint_catalogue"))
        if c.schedule is not None:
            box.add_widget(HeadingLabel(text=self.tr("大厅办理时间（[schedule]、[calendar]）")))
            sched = c.schedule
            rows = [(self.tr(WEEKDAYS[i]), hours or self.tr("不开放"))
                    for i, hours in enumerate(sched.week)]
            rows.append((self.tr("节假日"), self.tr("{n} 天", n=sched.holidays) + (
                self.tr("，下一个 {day}", day=sched.next_holiday.isoformat())
                if sched.next_holiday else "")))
            rows.append((self.tr("调休上班"), self.tr("{n} 天", n=sched.workdays)))
            names = {t.id: self.tr(t.title) for t in TILES}
            rows.append((self.tr("随大厅时间开放"),
                         "、".join(names.get(c, c) for c in sched.hall_hours) or "—"))
            box.add_widget(self._pairs(rows, ident="maint_schedule"))
        box.add_widget(self._text(self.tr("重新载入会先检查文件；文件有误时保留现有目录并显示错误。"),
                                  muted=True))

    # ---- locker ---------------------------------------------------------------------------
    def _locker(self, box: BoxLayout) -> None:
        state = self.state
        box.add_widget(HeadingLabel(text=self.tr("选择柜门")))
        box.add_widget(self._grid([
            self._button("−", "maint_door_minus", lambda: self.flow.step_door(-1),
                         translate=False),
            self._text(self.tr("{door} 号门", door=state.door), ident="maint_door"),
            self._button("+", "maint_door_plus", lambda: self.flow.step_door(1),
                         translate=False)]))
        box.add_widget(self._grid([
            self._button(N_("开门（维修）"), "maint_door_open", self.flow.open_door),
            self._button(N_("停用此门"), "maint_door_out", lambda: self.flow.mark_door(True)),
            self._button(N_("恢复此门"), "maint_door_back", lambda: self.flow.mark_door(False))]))
        box.add_widget(HeadingLabel(text=self.tr("柜门状态")))
        for d in state.doors:
            text = self.tr("{door} 号门：{state}", door=d.door,
                           state=self.tr(DOOR_WORDS.get(d.state, "未查询")))
            if d.out_of_service:
                text += self.tr("（已停用）")
            box.add_widget(self._text(text, danger=d.out_of_service,
                                      ident=f"maint_door_row_{d.door}"))

    # ---- report ---------------------------------------------------------------------------
    def _report(self, box: BoxLayout) -> None:
        box.add_widget(HeadingLabel(text=self.tr("健康报告")))
        box.add_widget(self._text(self.tr("报告包含设备状态、版本、磁盘空间、待上传记录、最近同步时间和最近的错误；保存为文件，打印成凭条，并随心跳发送到大厅服务器。")))
        if self.state.report_file:
            box.add_widget(self._text(self.tr("已保存：{file}", file=self.state.report_file),
                                      ident="maint_report_file"))

    # ---- the bottom bar -------------------------------------------------------------------
    def primary_action(self) -> None:
        page = self.state.page
        if page is MaintPage.DEVICES and self.state.editing:
            self.flow.save_device()
        elif page is MaintPage.COUNTERS:
            self.flow.new_roll()
        elif page is MaintPage.CATALOGUE:
            self.flow.reload_catalogue()
        elif page is MaintPage.LOCKER:
            self.flow.query_doors()
        elif page is MaintPage.REPORT:
            self.flow.save_report()
        else:
            self.flow.refresh()
