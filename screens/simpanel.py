"""The simulated-hardware panel (``kiosk run --simulate`` only): play the citizen and break devices.

Opened with F12 or a 2 s press / three taps in the top-right corner. It lays sample ID cards on
the reader, scans QR payloads, changes the printer's paper, unplugs devices and closes locker
doors, all by calling the simulator objects from ``ctx.devices`` (told apart from real drivers by
``drivers.factory.simulated``), so everything downstream — device threads, events, screens — runs
exactly as with real hardware. Slow work (decoding a printout's QR) runs as a device job and comes
back with ``@mainthread``. It must never act on a real device, start a thread, nor call a screen
directly.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kivy.clock import Clock, mainthread
from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView

from drivers.base import Device, Fault
from drivers.factory import simulated
from drivers.faults import SimulatedFaults
from drivers.printer.base import PaperStatus
from kiosk.clock import local_now
from kiosk.context import KioskContext
from kiosk.privacy import mask_name
from screens.widgets import KioskButton

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

DEVICE_LABELS = {"idcard": "身份证阅读器 ID reader", "scanner": "扫码器 scanner",
                 "camera": "摄像头 camera", "printer": "打印机 printer", "locker": "文件柜 locker"}


def preset_codes(ctx: KioskContext) -> list[tuple[str, str]]:
    """(label, payload) pairs a demo needs: an appointment, a receipt, a pickup code, junk."""
    hall = ctx.config.hall
    return [
        ("预约码 appointment", f"APPT:{hall.code}:20250101:0930:A12"),
        ("回执码 case receipt", f"{hall.progress_url}?case={hall.code}-2025-000123"),
        ("取件码 pickup code", "PICKUP:482913"),
        ("无关二维码 unrelated", "https://example.com/not-ours"),
    ]


class SimPanel(BoxLayout):
    def __init__(self, ctx: KioskContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx
        self._door_buttons: dict[int, KioskButton] = {}
        self._unplug_buttons: dict[str, KioskButton] = {}
        self._build()

    # ---- simulators, by kind ------------------------------------------------------------------
    def sim(self, kind: str) -> Device | None:
        """The simulator for ``kind``, or None when that device is real or not fitted."""
        device = self.ctx.devices.get(kind)
        return device if simulated(device) else None

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        box = self.ids.sections
        self._section(box, "身份证 ID card")
        reader = self.sim("idcard")
        if reader is None:
            self._note(box, "无模拟阅读器 no simulated reader")
        else:
            from drivers.idcard.samples import SAMPLE_CARDS

            grid = self._grid(box)
            for key, card in SAMPLE_CARDS.items():
                label = f"{key}\n{mask_name(card.name)}"
                if card.valid_until is not None and card.is_expired(_today(self.ctx)):
                    label += " (已过期 expired)"
                grid.add_widget(self._button(f"sim_card_{key}", label,
                                             lambda k=key: self.present_card(k)))
            grid.add_widget(self._button("sim_card_remove", "取走身份证\nremove card",
                                         self.remove_card, role="danger"))

        self._section(box, "扫码 QR scanner")
        if self.sim("scanner") is None:
            self._note(box, "无模拟扫码器 no simulated scanner")
        else:
            grid = self._grid(box)
            for i, (label, payload) in enumerate(preset_codes(self.ctx)):
                grid.add_widget(self._button(f"sim_scan_{i}", label,
                                             lambda p=payload: self.scan(p)))
            grid.add_widget(self._button("sim_scan_last_ticket", "扫最后一张票\nlast ticket QR",
                                         self.scan_last_ticket))

        self._section(box, "打印机 printer")
        if self.sim("printer") is None:
            self._note(box, "无模拟打印机 no simulated printer")
        else:
            grid = self._grid(box)
            for status, label in ((PaperStatus.OK, "纸张正常 paper ok"),
                                  (PaperStatus.NEAR_END, "纸将用完 near end"),
                                  (PaperStatus.OUT, "缺纸 paper out"),
                                  (PaperStatus.OFFLINE, "打印机离线 offline")):
                grid.add_widget(self._button(f"sim_paper_{status.value}", label,
                                             lambda s=status: self.set_paper(s)))
            grid.add_widget(self._button("sim_last_printout", "最后打印\nlast printout",
                                         self.show_last_printout))

        self._section(box, "拔插设备 unplug / replug")
        grid = self._grid(box)
        for kind in self.ctx.devices.kinds():
            if simulated(self.ctx.devices.get(kind)):
                button = self._button(f"sim_unplug_{kind}", "",
                                      lambda k=kind: self.toggle_unplug(k))
                self._unplug_buttons[kind] = button
                grid.add_widget(button)

        self._section(box, "文件柜 locker (点击关门 tap to close)")
        locker = self.sim("locker")
        if locker is None:
            self._note(box, "无模拟文件柜 no simulated locker")
        else:
            grid = GridLayout(cols=6, spacing=8, size_hint_y=None)
            grid.bind(minimum_height=grid.setter("height"))
            for door in range(1, locker.doors + 1):  # type: ignore[attr-defined]
                button = self._button(f"sim_door_{door}", str(door),
                                      lambda d=door: self.close_door(d), role="secondary")
                button.height = 90
                self._door_buttons[door] = button
                grid.add_widget(button)
            box.add_widget(grid)

    def _section(self, box: BoxLayout, title: str) -> None:
        box.add_widget(Label(text=title, bold=True, font_size=34, size_hint_y=None, height=64,
                             halign="left", valign="bottom", text_size=(None, None)))

    def _note(self, box: BoxLayout, text: str) -> None:
        box.add_widget(Label(text=text, font_size=32, size_hint_y=None, height=56))

    def _grid(self, box: BoxLayout) -> GridLayout:
        grid = GridLayout(cols=2, spacing=12, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        box.add_widget(grid)
        return grid

    def _button(self, ident: str, text: str, action: Any, role: str = "primary") -> KioskButton:
        button = KioskButton(ident=ident, text=text, role=role, font_size=32)
        button.bind(on_release=lambda _b: action())
        return button

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            super().on_touch_down(touch)
            return True  # the app under the panel must not see panel presses
        return False

    def refresh(self) -> None:
        for kind, button in self._unplug_buttons.items():
            device = self.ctx.devices.get(kind)
            unplugged = isinstance(device, SimulatedFaults) and device.active(Fault.UNPLUGGED)
            name = DEVICE_LABELS.get(kind, kind)
            button.text = f"插回 replug\n{name}" if unplugged else f"拔出 unplug\n{name}"
            button.role = "danger" if unplugged else "secondary"
        locker = self.sim("locker")
        if locker is None:
            return
        try:
            states = locker.door_states()  # type: ignore[attr-defined]
        except Exception:  # unplugged: show the last known picture
            return
        for door, button in self._door_buttons.items():
            state = states.get(door)
            is_open = bool(state and state.is_open)
            item = " ▪" if state and state.item_present else ""
            button.text = f"{door} {'开' if is_open else '关'}{item}"
            button.role = "danger" if is_open else "secondary"

    # ---- actions ----------------------------------------------------------------------------
    def present_card(self, key: str) -> None:
        from drivers.idcard.samples import SAMPLE_CARDS

        log.info("sim panel: card %s laid on the reader", key)
        self.sim("idcard").present(SAMPLE_CARDS[key])  # type: ignore[union-attr]

    def remove_card(self) -> None:
        self.sim("idcard").remove()  # type: ignore[union-attr]

    def scan(self, payload: str) -> None:
        log.info("sim panel: scanning a preset code")
        self.sim("scanner").scan(payload)  # type: ignore[union-attr]

    def scan_last_ticket(self) -> None:
        """Decode the QR on the last printout (a real decode of the PNG) and scan its text."""
        printer, scanner = self.sim("printer"), self.sim("scanner")
        png = getattr(printer, "last_png_path", None)
        if png is None or scanner is None:
            self._flash("还没有打印过票据 nothing printed yet")
            return
        queue_url = self.ctx.config.hall.queue_url

        def show_printout(device: Device) -> str | None:  # on a device job thread
            return device.scan_picture(png, prefer=queue_url)  # type: ignore[attr-defined]

        self.ctx.devices.run_job("scanner", show_printout).add_done_callback(self._ticket_scanned)

    @mainthread
    def _ticket_scanned(self, job: Future[str | None]) -> None:
        error = job.exception()
        if error is not None:
            log.warning("sim panel: the printout could not be decoded: %s", error)
            self._flash("无法识别票据 printout unreadable")
        elif job.result() is None:
            self._flash("票据上没有二维码 no QR found")

    def set_paper(self, status: PaperStatus) -> None:
        log.info("sim panel: printer paper %s", status.value)
        self.sim("printer").set_paper(status)  # type: ignore[union-attr]

    def toggle_unplug(self, kind: str) -> None:
        device = self.ctx.devices.get(kind)
        if not isinstance(device, SimulatedFaults):  # narrows the type; real devices never
            return
        if device.active(Fault.UNPLUGGED):
            device.clear(Fault.UNPLUGGED)
            log.info("sim panel: %s plugged back", kind)
        else:
            device.inject(Fault.UNPLUGGED)
            log.info("sim panel: %s unplugged", kind)
        self.refresh()

    def close_door(self, door: int) -> None:
        self.sim("locker").close_door(door)  # type: ignore[union-attr]
        self.refresh()

    def show_last_printout(self) -> None:
        png = getattr(self.sim("printer"), "last_png_path", None)
        if png is None or not Path(png).exists():
            self._flash("还没有打印过票据 nothing printed yet")
            return
        view = ModalView(size_hint=(0.9, 0.9))
        box = BoxLayout(orientation="vertical", spacing=12, padding=12)
        box.add_widget(Image(source=str(png), nocache=True, fit_mode="contain"))
        close = KioskButton(ident="sim_printout_close", text="关闭 close")
        close.bind(on_release=lambda _b: view.dismiss())
        box.add_widget(close)
        view.add_widget(box)
        view.open()
        self.printout_view = view

    def _flash(self, text: str) -> None:
        self.ids.flash.text = text
        Clock.schedule_once(lambda _dt: setattr(self.ids.flash, "text", ""), 4)


def _today(ctx: KioskContext) -> date:
    """The hall's day by the kiosk's one clock, so the panel marks expiry as the flows decide it."""
    return local_now(ctx.clock, ZoneInfo(ctx.config.hall.timezone)).date()
