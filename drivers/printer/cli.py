"""``kiosk device printer test|status``: print a test page or read the paper sensor.

For technicians at the shell. Without a connection option the configured printer
(``devices.printer``) is used, the simulator included. Every failure ends as one line on stderr
and a non-zero exit (``CommandError``); this module never prints a traceback and never reports
a status it did not read.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from drivers.cli_args import baud, host_port, seconds
from drivers.printer.base import PaperStatus, PrinterError, ReceiptPrinter
from drivers.printer.connections import Connection, ConnectionKind
from drivers.printer.escpos_printer import EscposPrinter, StatusReport
from drivers.printer.escpos_render import render
from drivers.printer.layout import Align, Receipt
from drivers.printer.preview import save_png
from drivers.printer.profile import PrinterProfile


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("printer", help="receipt printer: test page, paper status")
    psub = p.add_subparsers(dest="printer_command", metavar="ACTION", required=True)
    test = psub.add_parser("test", help="print a test page (Chinese text, sizes, QR, cut)")
    _connection_args(test)
    test.add_argument("--png", metavar="OUT.png", help="also write the paper-like preview here")
    test.set_defaults(func=_test)
    status = psub.add_parser("status", help="ask the paper status: ok, near_end, out, offline "
                                            "(exit 1 for out/offline)")
    _connection_args(status)
    status.add_argument("--json", action="store_true", help="print one JSON document")
    status.set_defaults(func=_status)


def _connection_args(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--port", help="serial port, pseudo-terminal or pyserial URL")
    where.add_argument("--usb", metavar="VID:PID", help="USB printer, ids in hex (lsusb)")
    where.add_argument("--host", type=host_port, metavar="H[:PORT]",
                       help="network printer (port 9100 default)")
    where.add_argument("--file", metavar="PATH", help="write-only device or file (no status)")
    p.add_argument("--baud", type=baud, help="serial speed (default: configured, else 9600)")
    p.add_argument("--timeout", type=seconds(0, 60), help="status reply timeout in seconds")
    p.add_argument("--encoding", choices=("gb18030", "gbk"), help="printer's Chinese encoding")


def _load(args: argparse.Namespace) -> tuple[ReceiptPrinter, PrinterProfile, str, str]:
    """The printer to talk to, its profile, how to name it, and the hall's name."""
    from config.loader import data_dir, load_config  # the shell tool reads the site config

    config = load_config(getattr(args, "config", None))
    cfg = config.devices.printer
    profile = PrinterProfile.from_settings(cfg.settings)
    if args.encoding:
        profile = replace(profile, encoding=args.encoding)
    timeout = args.timeout if args.timeout is not None else cfg.timeout
    chosen = [(ConnectionKind.SERIAL, args.port), (ConnectionKind.USB, args.usb),
              (ConnectionKind.NETWORK, args.host), (ConnectionKind.FILE, args.file)]
    connection = next((Connection(k, t, args.baud or cfg.baud) for k, t in chosen if t), None)
    if connection is None and cfg.driver == "simulated":
        from drivers.printer.simulated import SimulatedPrinter

        out_dir = data_dir(config) / "printouts"
        return SimulatedPrinter(out_dir, profile), profile, f"simulator ({out_dir})", \
            config.hall.name
    if connection is None:
        connection = Connection(ConnectionKind(cfg.driver), cfg.port, args.baud or cfg.baud)
    printer = EscposPrinter(connection, profile, timeout=timeout)
    return printer, profile, connection.describe(), config.hall.name


def test_page(hall: str, profile: PrinterProfile, when: datetime | None = None) -> Receipt:
    """What a technician checks at a glance: Chinese, widths, sizes, alignment, ¥, QR, cut."""
    when = when or datetime.now()
    half = "".join(str(i % 10) for i in range(1, profile.columns + 1))
    wide = "一二三四五六七八九十" * (profile.columns // 20 + 1)
    return (Receipt()
            .text("打印测试 PRINT TEST", size=2, bold=True, align=Align.CENTER)
            .text(hall, align=Align.CENTER)
            .separator()
            .text(half)
            .text(wide[: profile.columns // 2])
            .text("宽度: ASCII a1 | 汉字 中 | 全角 ＡＢ | ①②")
            .text(f"编码 {profile.encoding}: 人民币 ¥12.50")
            .text("倍宽倍高 x2", size=2)
            .text("粗体 BOLD", bold=True)
            .text("左 left", align=Align.LEFT)
            .text("中 center", align=Align.CENTER)
            .text("右 right", align=Align.RIGHT)
            .separator("=")
            .qr("https://hall.example.gov.cn/printer-test", caption="扫码测试 QR test")
            .text(when.strftime("%Y-%m-%d %H:%M:%S"), align=Align.CENTER)
            .feed(1))


def _test(args: argparse.Namespace) -> int:
    from drivers.cli import CommandError

    printer, profile, name, hall = _load(args)
    receipt = test_page(hall, profile)
    rendered = render(receipt, profile)
    try:
        printer.open()
        data = printer.print_receipt(receipt)
    except PrinterError as exc:
        raise CommandError(f"printer test on {name} failed: {exc} ({exc.message_zh})") from exc
    finally:
        printer.close()
    print(f"test page sent to {name}: {len(data)} bytes, encoding {profile.encoding}")
    for sub in rendered.substitutions:
        print(f"  substituted {sub.describe()}")
    if args.png:
        try:
            print(f"preview: {save_png(receipt, profile, Path(args.png))}")
        except (PrinterError, OSError) as exc:
            raise CommandError(f"preview {args.png}: {exc}") from exc
    return 0


def _status(args: argparse.Namespace) -> int:
    from drivers.cli import CommandError

    printer, _profile, name, _hall = _load(args)
    try:
        if isinstance(printer, EscposPrinter):
            report = printer.status_report()
        else:
            printer.open()
            report = StatusReport(printer.paper_status(), True, "simulated printer")
    except PrinterError as exc:
        raise CommandError(f"printer status on {name}: {exc} ({exc.message_zh})") from exc
    finally:
        printer.close()
    if args.json:
        print(json.dumps({**report.as_dict(), "printer": name}, ensure_ascii=False))
    else:
        known = "" if report.known else " (unknown: connection cannot read status)"
        detail = f" — {report.detail}" if report.detail and report.known else ""
        print(f"{report.status.value}{known}{detail}")
    return 1 if report.status in (PaperStatus.OUT, PaperStatus.OFFLINE) else 0
