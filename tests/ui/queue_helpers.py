"""Helpers for the queue-ticket (取号) UI tests: a hall day per test, and layout checks.

Each test stands on its own weekday at the hall (the context's one ``ManualClock``, moved), so
numbering starts at 001 and opening hours do not depend on when the suite
runs. The layout check walks the shown screen like a citizen's eye: every text inside its box,
every control on the window and big enough for a thumb.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.clock import ManualClock

HALL_TZ = ZoneInfo("Asia/Shanghai")
MIN_TOUCH_PX = 100  # about 9 mm on a 21.5" 1080x1920 panel: a thumb, not a fingertip


def _weekdays(start: date) -> Iterator[date]:
    day = start
    while True:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


_DAYS = _weekdays(date(2027, 3, 1))  # a Monday; every test gets the next unused weekday


def next_hall_day() -> date:
    return next(_DAYS)


def hall_clock(day: date, at: time) -> ManualClock:
    return ManualClock(datetime.combine(day, at, tzinfo=HALL_TZ))


def problems_on_screen(screen: Any, window_width: float) -> list[str]:
    """Texts wider or taller than their box, controls off the window or smaller than a thumb."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    out: list[str] = []
    for widget in screen.walk(restrict=True):
        if widget.opacity == 0 or widget.height <= 1 or widget.width <= 1:
            continue
        if _hidden(widget):
            continue
        left, _ = widget.to_window(widget.x, widget.y)
        name = getattr(widget, "ident", "") or type(widget).__name__
        if isinstance(widget, Label) and widget.text:
            widget.texture_update()
            tw, th = widget.texture_size
            wraps = widget.text_size[0] is not None
            if wraps and widget.width < 2 * widget.font_size:
                out.append(f"{name} {widget.text[:30]!r}: squeezed to {widget.width:.0f} px")
            if tw > widget.width + 2 or th > widget.height + 2:
                out.append(f"{name} {widget.text[:30]!r}: text {tw}x{th} in box "
                           f"{widget.width:.0f}x{widget.height:.0f}")
        if left < -1 or left + widget.width > window_width + 1:
            out.append(f"{name}: off the window (x={left:.0f}, w={widget.width:.0f})")
        if isinstance(widget, ButtonBehavior) and not widget.disabled and (
                widget.height < MIN_TOUCH_PX or widget.width < MIN_TOUCH_PX):
            out.append(f"{name}: {widget.width:.0f}x{widget.height:.0f} is too small to touch")
    return out


def _hidden(widget: Any) -> bool:
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if getattr(parent, "opacity", 1) == 0 or getattr(parent, "height", 1) <= 1:
            return True
        parent = parent.parent
    return False
