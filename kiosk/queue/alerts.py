"""Where the alert functions used to live; they are ``kiosk.alerts`` now (shared by every flow).

Kept only so callers written against this path (the sync worker and its heartbeat) keep working
until they import ``kiosk.alerts`` themselves. Add nothing here.
"""

from kiosk.alerts import (
    PRINTER_ERROR,
    PRINTER_INTERRUPTED,
    PRINTER_KINDS,
    PRINTER_OFFLINE,
    PRINTER_PAPER_OUT,
    AlertNote,
    Alerts,
    clear_alerts,
    open_alerts,
    printer_alert,
    raise_alert,
)

__all__ = [
    "PRINTER_ERROR", "PRINTER_INTERRUPTED", "PRINTER_KINDS", "PRINTER_OFFLINE",
    "PRINTER_PAPER_OUT", "AlertNote", "Alerts", "clear_alerts", "open_alerts", "printer_alert",
    "raise_alert",
]
