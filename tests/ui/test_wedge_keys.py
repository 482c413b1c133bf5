"""A keyboard-wedge scanner types into the kiosk's window: a fast burst is a scan, typing is not."""

from __future__ import annotations

import pytest

from drivers.scanner.wedge_scanner import WedgeScanner
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


@pytest.fixture
def wedge(kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch) -> WedgeScanner:
    """The configured scanner replaced by a keyboard-wedge one, as `driver = "wedge"` builds."""
    scanner = WedgeScanner(max_gap=0.030, min_length=4)
    real_get = kiosk.ctx.devices.get
    monkeypatch.setattr(kiosk.ctx.devices, "get",
                        lambda kind: scanner if kind == "scanner" else real_get(kind))
    return scanner


def type_keys(kiosk: Kiosk, text: str, gap: float) -> None:
    from kivy.core.window import Window

    for ch in text:
        Window.dispatch("on_key_down", ord(ch), 0, ch, [])
        kiosk.clock.advance(gap)
    Window.dispatch("on_key_down", 13, 40, None, [])  # Enter: no text of its own
    kiosk.pump(1)


def test_a_fast_burst_of_keys_reaches_the_scanner_as_one_code(kiosk: Kiosk, wedge):
    """Given a wedge scanner, when "APPT-0007" arrives 5 ms per key then Enter, then the scanner
    holds exactly that code."""
    type_keys(kiosk, "APPT-0007", gap=0.005)
    code = wedge.read_code(timeout=0.5)
    assert code is not None and code.text == "APPT-0007" and code.source == "wedge"


def test_a_person_typing_is_never_a_scan(kiosk: Kiosk, wedge):
    """Given a wedge scanner, when someone types 1234 at 200 ms a key then Enter, then no code."""
    type_keys(kiosk, "1234", gap=0.2)
    kiosk.clock.advance(1.0)
    kiosk.pump(3)  # the app's tick flushes the held keys as typing
    assert wedge.read_code(timeout=0.05) is None
