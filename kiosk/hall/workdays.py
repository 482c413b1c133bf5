"""Working-day arithmetic for follow-up deadlines: the kiosk's one calendar (``kiosk.workdays``).

Kept as the hall server's import path; the arithmetic lives once, in ``kiosk.workdays``.
"""

from __future__ import annotations

from kiosk.workdays import HallCalendar, add_working_days, is_working_day

__all__ = ["HallCalendar", "add_working_days", "is_working_day"]
