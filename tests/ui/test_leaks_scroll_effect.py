"""Kivy's scroll effects after a stalled frame (``screens/kivy_fixes.py``): found by the soak
under tracemalloc, where a 4.7 s screen switch sent the 取号 categories to y = -1.9e12 and
the next tap onto nothing."""

from __future__ import annotations

import pytest

from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui

STALLED_FRAME_S = 1.0  # a first visit to a screen on a busy machine took 1.3 to 4.7 s


def test_an_overscroll_springs_back_after_stalled_frames(kiosk: Kiosk) -> None:
    """Given a ScrollView pulled 200 px past its top (a flick at the edge), when the next ten
    frames each take a second, then the content comes back within its range instead of
    swinging further out every frame (Kivy 2.3.1: ×-2 per one-second frame)."""
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.widget import Widget

    view = ScrollView(size=(400, 1000), size_hint=(None, None))
    view.add_widget(Widget(size_hint_y=None, height=3000))
    effect = view.effect_y
    effect.min, effect.max = -2000, 0  # the range ScrollView gives it: content minus viewport
    effect.value = 200  # 200 px past the top
    effect.velocity = 500
    for _ in range(10):
        effect.update_velocity(STALLED_FRAME_S)
    assert -2000 - 50 <= effect.value <= 50, effect.value


def test_a_flick_coasts_to_rest_across_stalled_frames(kiosk: Kiosk) -> None:
    """Given a ScrollView flicked at 3000 px/s, when its frames take a second each, then it
    coasts to rest inside its range (friction applied per step, not once per long frame,
    where it reversed and grew the velocity)."""
    from kivy.effects.kinetic import KineticEffect

    effect = KineticEffect()
    effect.velocity = 3000
    for _ in range(10):
        effect.update_velocity(STALLED_FRAME_S)
    assert abs(effect.velocity) < 3000 and abs(effect.value) < 3000 / 0.05 * 0.017 * 2, (
        effect.velocity, effect.value)
