"""Receipt printers: paper status and printing a ``Receipt`` (see ``layout``)."""

from __future__ import annotations

import enum
from abc import abstractmethod

from drivers.base import Device, DeviceError
from drivers.printer.layout import Receipt


class PaperStatus(enum.StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    OFFLINE = "offline"


class PrinterError(DeviceError):
    message_zh = "打印机故障"


class PaperOut(PrinterError):
    message_zh = "打印机缺纸"


class PrinterOffline(PrinterError):
    message_zh = "打印机未连接"


class PrintInterrupted(PrinterError):
    """The job started but did not finish (paper ran out, cable pulled, printer stopped
    answering): the paper ticket is incomplete and must be reprinted."""

    message_zh = "打印中断，请重新打印"


class ReceiptPrinter(Device):
    kind = "printer"

    @abstractmethod
    def paper_status(self) -> PaperStatus:
        """Ask the printer now (a short round trip); ``OFFLINE`` if it does not answer."""

    @abstractmethod
    def print_receipt(self, receipt: Receipt) -> bytes:
        """Print and return the exact ESC/POS bytes sent. Where the connection can be read, the
        paper sensor is asked first and ``PaperOut`` / ``PrinterOffline`` are raised before any
        byte is sent; later failures raise ``PrinterError``. A caller must have committed what
        the receipt records beforehand."""
