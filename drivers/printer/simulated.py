"""A receipt printer made of files, for demos and tests: every job becomes ``.bin`` + ``.png``.

Each receipt is rendered to the same ESC/POS bytes a real printer would get (kept as
``<out_dir>/<timestamp>-<n>.bin``) and to the paper-like preview (``.png`` beside it), so the
demo shows real tickets and a technician can replay a ``.bin`` to a real printer. Faults come
from the ``SimulatedFaults`` switchboard (health and errors as ``drivers.faults`` maps them):
PAPER_OUT, PAPER_NEAR_END, UNPLUGGED (offline) and TIMEOUT (the job stops half-way). It never
pretends a faulty job succeeded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from config.schema import DeviceConfig
from drivers.base import Fault, Health, HealthState
from drivers.faults import SimulatedFaults
from drivers.printer.base import (
    PaperOut,
    PaperStatus,
    PrinterOffline,
    PrintInterrupted,
    ReceiptPrinter,
)
from drivers.printer.layout import Receipt
from drivers.printer.profile import PrinterProfile

_PAPER_FAULTS = (Fault.PAPER_OUT, Fault.PAPER_NEAR_END, Fault.UNPLUGGED)


class SimulatedPrinter(ReceiptPrinter, SimulatedFaults):
    def __init__(self, out_dir: str | Path, profile: PrinterProfile | None = None,
                 *, print_seconds: float = 0.0, settings: Mapping[str, object] | None = None,
                 previews: bool = True) -> None:
        """``out_dir`` receives the printouts (the factory puts them under the data folder, or
        where ``settings["out_dir"]`` says; there is no default relative to the working
        directory, where a stray ``var/`` would appear); ``print_seconds``
        is how long a job "prints" (a real ticket takes about 2 s); ``previews=False`` keeps
        only the ESC/POS bytes (soak benchmarks: the PNG costs ~28 ms a job)."""
        SimulatedFaults.__init__(self)
        settings = settings or {}
        self.out_dir = Path(out_dir)
        self.profile = profile or PrinterProfile.from_settings(settings)
        self.print_seconds = print_seconds
        self.previews = previews
        self.last_png_path: Path | None = None
        self.last_bin_path: Path | None = None
        self.jobs = 0
        self._is_open = False
        self._job_lock = threading.Lock()  # one job at a time, like one print head

    @classmethod
    def from_config(cls, cfg: DeviceConfig, out_dir: Path) -> SimulatedPrinter:
        return cls(out_dir, PrinterProfile.from_settings(cfg.settings), settings=cfg.settings)

    def open(self) -> None:
        self.raise_for_faults()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._is_open = True

    def close(self) -> None:
        self._is_open = False

    def health(self) -> Health:
        if not self._is_open:
            return Health(HealthState.OFFLINE, "not opened")
        return self.fault_health() or Health.ok()

    def set_paper(self, status: PaperStatus) -> None:
        """Convenience for the sim panel: show exactly this status from now on."""
        for fault in _PAPER_FAULTS:
            self.clear(fault)
        fault = {PaperStatus.OUT: Fault.PAPER_OUT, PaperStatus.NEAR_END: Fault.PAPER_NEAR_END,
                 PaperStatus.OFFLINE: Fault.UNPLUGGED}.get(status)
        if fault is not None:
            self.inject(fault)

    def paper_status(self) -> PaperStatus:
        if self.active(Fault.UNPLUGGED) or not self._is_open:
            return PaperStatus.OFFLINE
        if self.active(Fault.PAPER_OUT):
            return PaperStatus.OUT
        if self.active(Fault.PAPER_NEAR_END):
            return PaperStatus.NEAR_END
        return PaperStatus.OK

    def print_receipt(self, receipt: Receipt) -> bytes:
        # python-escpos, qrcode and Pillow load with the first receipt, not with the kiosk
        from drivers.printer.escpos_render import render
        from drivers.printer.preview import save_png

        data = render(receipt, self.profile).data
        with self._job_lock:
            paper = self.paper_status()
            if paper is PaperStatus.OFFLINE:
                raise PrinterOffline("simulated printer offline (unplugged or not opened); "
                                     "nothing was printed")
            if paper is PaperStatus.OUT:
                raise PaperOut("simulated printer out of paper; nothing was printed")
            stem = self._next_stem()
            if self.active(Fault.TIMEOUT):
                half = len(data) // 2
                self._wait(self.print_seconds / 2)
                stem.with_suffix(".bin").write_bytes(data[:half])
                self.last_bin_path = stem.with_suffix(".bin")
                raise PrintInterrupted(f"simulated printer stopped answering after {half} of "
                                       f"{len(data)} bytes (fault injected); reprint")
            self._wait(self.print_seconds)
            bin_path = stem.with_suffix(".bin")
            bin_path.write_bytes(data)
            if self.previews:
                self.last_png_path = save_png(receipt, self.profile, stem.with_suffix(".png"))
            self.last_bin_path = bin_path
            self.jobs += 1
            return data

    def _next_stem(self) -> Path:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        n = self.jobs + 1
        while (self.out_dir / f"{stamp}-{n}.bin").exists():
            n += 1  # a second simulator writing to the same folder in the same second
        return self.out_dir / f"{stamp}-{n}"

    def _wait(self, seconds: float) -> None:
        # time.sleep stands in for the print head moving paper; not waiting on a condition
        if seconds > 0:
            time.sleep(seconds)
