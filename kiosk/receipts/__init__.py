"""Receipts the kiosk prints, built as ``drivers.printer.layout.Receipt`` data (no printer I/O)."""

from kiosk.receipts.ticket import ticket_receipt, windows_text

__all__ = ["ticket_receipt", "windows_text"]
