"""Handing a committed ticket to the printer, and what happens when the printer fails.

The ticket is already in the database when this runs (``QueueService.issue_ticket`` commits
first), so a printer fault loses nothing: it raises a maintenance alert and tells the screen to
show the ticket instead. Never issues or changes a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import Engine, insert

from config.schema import HallConfig
from drivers.printer.base import PaperOut, PrinterError, ReceiptPrinter
from drivers.printer.layout import Receipt
from kiosk.clock import Clock
from kiosk.queue.tickets import IssuedTicket
from kiosk.receipts.ticket import ticket_receipt
from kiosk.storage.models import Alert


@dataclass(frozen=True)
class PrintOutcome:
    printed: bool
    receipt: Receipt  # what the screen shows when the paper did not come out
    message_zh: str = ""
    message_en: str = ""


def print_ticket(printer: ReceiptPrinter, ticket: IssuedTicket, hall: HallConfig,
                 engine: Engine, kiosk_id: str, clock: Clock) -> PrintOutcome:
    receipt = ticket_receipt(ticket, hall)
    try:
        printer.print_receipt(receipt)
    except PrinterError as exc:
        kind = "printer.paper_out" if isinstance(exc, PaperOut) else "printer.fault"
        with engine.begin() as conn:
            conn.execute(insert(Alert).values(
                at=clock.now().astimezone(UTC), kiosk_id=kiosk_id, kind=kind,
                severity="error", message=f"ticket {ticket.number} not printed: {exc}",
                message_zh=f"{ticket.number} 号票未打印：{exc.message_zh}"))
        return PrintOutcome(False, receipt,
                            f"打印机暂时无法出票，您的号码是 {ticket.number}，请拍照或记住号码",
                            f"The printer cannot print right now. Your number is "
                            f"{ticket.number}: please take a photo or remember it")
    return PrintOutcome(True, receipt)
