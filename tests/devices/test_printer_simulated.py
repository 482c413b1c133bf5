"""The simulated printer: real bytes and previews on disk, injected faults, worker threads."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from drivers.base import Fault, HealthState
from drivers.printer.base import PaperOut, PaperStatus, PrinterOffline, PrintInterrupted
from drivers.printer.escpos_render import render_escpos
from drivers.printer.layout import Receipt
from drivers.printer.profile import PrinterProfile
from drivers.printer.simulated import SimulatedPrinter


def ticket(n: int = 23) -> Receipt:
    return Receipt().text(f"A{n:03d} 社会民生", size=2).qr(f"https://q.example/A{n:03d}")


@pytest.fixture
def printer(tmp_path: Path) -> SimulatedPrinter:
    p = SimulatedPrinter(tmp_path / "printouts")
    p.open()
    return p


def test_each_job_leaves_bin_and_png(printer):
    """Given a working simulator when a ticket is printed then <timestamp>-<n>.bin holds the
    exact ESC/POS bytes and the .png beside it shows the QR."""
    data = printer.print_receipt(ticket())
    assert data == render_escpos(ticket(), PrinterProfile())
    assert re.fullmatch(r"\d{8}T\d{6}-1\.bin", printer.last_bin_path.name)
    assert printer.last_bin_path.read_bytes() == data
    assert printer.last_png_path == printer.last_bin_path.with_suffix(".png")
    assert decode(Image.open(printer.last_png_path))[0].data == b"https://q.example/A023"


@pytest.mark.parametrize(("paper", "error"), [
    (PaperStatus.OUT, PaperOut), (PaperStatus.OFFLINE, PrinterOffline),
])
def test_refused_jobs_leave_nothing(printer, paper, error):
    """Given paper out or unplugged when printing then the typed error and no file at all."""
    printer.set_paper(paper)
    assert printer.paper_status() is paper
    assert printer.health().state is HealthState.OFFLINE
    with pytest.raises(error):
        printer.print_receipt(ticket())
    assert list(printer.out_dir.iterdir()) == []


def test_near_end_prints_and_degrades(printer):
    """Given paper near end when printing then the ticket prints and health is degraded."""
    printer.set_paper(PaperStatus.NEAR_END)
    printer.print_receipt(ticket())
    assert printer.health().state is HealthState.DEGRADED
    printer.set_paper(PaperStatus.OK)
    assert printer.faults() == frozenset() and printer.health().state is HealthState.OK


def test_timeout_fails_mid_job(printer):
    """Given the TIMEOUT fault when printing then PrintInterrupted after half the bytes, which
    are all the .bin holds; no preview claims a finished ticket."""
    printer.inject(Fault.TIMEOUT)
    with pytest.raises(PrintInterrupted):
        printer.print_receipt(ticket())
    full = render_escpos(ticket(), PrinterProfile())
    assert printer.last_bin_path.read_bytes() == full[: len(full) // 2]
    assert printer.last_png_path is None and printer.jobs == 0


def test_unplugged_cannot_open(tmp_path):
    """Given an unplugged simulator when opened then PrinterOffline."""
    p = SimulatedPrinter(tmp_path)
    p.inject(Fault.UNPLUGGED)
    with pytest.raises(PrinterOffline):
        p.open()


def test_worker_threads_print_concurrently_without_losing_a_job(printer):
    """Given eight worker threads printing at once when they finish then eight distinct .bin and
    .png pairs exist, each with its own ticket's bytes."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def job(n: int) -> None:
        try:
            start.wait()
            printer.print_receipt(ticket(n))
        except BaseException as exc:  # collected: a failing thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == [] and printer.jobs == 8
    bins = sorted(printer.out_dir.glob("*.bin"))
    assert len(bins) == 8 and len(list(printer.out_dir.glob("*.png"))) == 8
    contents = {b.read_bytes() for b in bins}
    assert contents == {render_escpos(ticket(n), PrinterProfile()) for n in range(8)}


def test_out_dir_from_settings(tmp_path):
    """Given a site file with the printer's out_dir and encoding, when the factory builds the
    simulator, then both are used (and nothing is written under the data folder)."""
    from drivers.factory import build_device
    from kiosk.config import load_config

    site = tmp_path / "site.toml"
    site.write_text(f'[devices.printer.settings]\nout_dir = "{tmp_path / "x"}"\n'
                    'encoding = "gbk"\n', encoding="utf-8")
    config = load_config(site)
    p = build_device("printer", config.devices.printer, simulate=True,
                     data_dir=tmp_path / "var")
    assert isinstance(p, SimulatedPrinter)
    p.open()
    assert b"\xa3\xa4" in p.print_receipt(Receipt().text("¥"))
    assert p.last_bin_path.parent == tmp_path / "x"
    assert not (tmp_path / "var").exists()


def test_without_previews_only_the_escpos_bytes_are_kept(tmp_path):
    """Given previews switched off (soak benchmarks), when a receipt prints, then the .bin file
    holds the bytes and no PNG is written."""
    from drivers.printer.layout import Receipt
    from drivers.printer.simulated import SimulatedPrinter

    printer = SimulatedPrinter(tmp_path, previews=False)
    printer.open()
    data = printer.print_receipt(Receipt().text("A001"))
    assert printer.last_bin_path is not None and printer.last_bin_path.read_bytes() == data
    assert printer.last_png_path is None
    assert not list(tmp_path.glob("*.png"))
