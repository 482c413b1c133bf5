"""Helpers for the maintenance-mode UI tests: a known PIN, the site file the kiosk was started
with, entering by the hidden corner and the pad, and screenshots after the layout check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.conftest import ARTIFACTS, Kiosk
from tests.ui.queue_helpers import problems_on_screen

PIN = "2468"


def site_file(kiosk: Kiosk) -> Path:
    """The session's site file (tests/ui/conftest.py writes it beside the data folder)."""
    return Path(kiosk.ctx.config.kiosk.data_dir).parent / "site.toml"


def desk(kiosk: Kiosk) -> Any:
    return kiosk.ctx.maintenance


def flow(kiosk: Kiosk) -> Any:
    return kiosk.ctx.flows.maintenance


def corner(kiosk: Kiosk) -> None:
    """Three quick taps in home's top-left corner (the hidden gesture)."""
    from kivy.core.window import Window

    for _ in range(3):
        kiosk.tap_at(30, Window.height - 30)


def press(kiosk: Kiosk, ident: str) -> None:
    """Touch a maintenance control and wait for the flow to answer (every control changes its
    state). On a machine loaded by parallel test runs, Kivy's ScrollView now and then swallows
    a quick tap it takes for the start of a drag; the finger then taps again, as a person
    would."""
    before = flow(kiosk).state
    kiosk.tap(ident)
    try:
        kiosk.wait_until(lambda: flow(kiosk).state is not before, timeout=3, what=ident)
    except AssertionError:
        kiosk.tap(ident)
        kiosk.wait_until(lambda: flow(kiosk).state is not before, timeout=5,
                         what=f"{ident} (tapped twice)")


def type_pin(kiosk: Kiosk, pin: str) -> None:
    for d in pin:
        press(kiosk, f"maint_key_{d}")
    press(kiosk, "maint_pin_confirm")
    kiosk.wait_until(lambda: not flow(kiosk).state.checking, what="the PIN check")
    kiosk.pump(3)


def enter(kiosk: Kiosk, pin: str = PIN) -> None:
    corner(kiosk)
    assert kiosk.app.current == "maint_pin"
    type_pin(kiosk, pin)
    kiosk.wait_until(lambda: kiosk.app.current == "maint", what="the maintenance pages")
    idle(kiosk)


def idle(kiosk: Kiosk) -> None:
    kiosk.wait_until(lambda: not flow(kiosk).state.busy, what="the maintenance job")
    kiosk.pump(3)


def notice(kiosk: Kiosk) -> str:
    return str(kiosk.get("maint_notice").text)


def shot(kiosk: Kiosk, name: str) -> Path:
    from kivy.core.window import Window

    kiosk.pump(3)
    problems = problems_on_screen(kiosk.app.sm.current_screen, Window.width)
    assert problems == [], f"{name}: {problems}"
    folder = ARTIFACTS / "maintenance"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    # Read the frame buffer ourselves: Kivy's Window.screenshot garbles frames after a resize
    # to landscape (the shared harness's home-landscape shots show it).
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image

    kiosk.draw()
    width, height = (int(v) for v in Window.size)
    pixels = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
    Image.frombytes("RGB", (width, height), pixels).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM).save(path)
    assert path.stat().st_size > 10_000
    return path
