"""Work-arounds for Kivy behaviour that hurts a kiosk running for months. Applied once by the
app (``apply()``); each says what it fixes and how it was found.

- ``ScrollView.update_from_scroll`` binds ``bar_color`` again on every scroll update and unbinds
  it once, half a second after the last one (kivy/uix/scrollview.py, 2.3.1): every scroll
  within that half second leaves one more binding behind. ``bench/soak.py`` under tracemalloc
  found it as the largest growth (≈ 0.85 MB per 80 journeys, ~13,000 bindings). The patch
  removes the earlier binding first, so there is at most one.
- The scroll effects' ``update_velocity(dt)`` (kivy/effects/kinetic.py and dampedscroll.py,
  2.3.1) take one explicit step per frame: ``velocity -= velocity * friction * dt / std_dt``
  plus a spring pulling an overscroll back. After a frame that took longer than about 0.35 s
  (the first visit to a screen loading its rules, a busy machine) the step overshoots and every
  slow frame multiplies the velocity by ``-(friction * dt / std_dt - 1)``: ``bench/soak.py``
  with tracemalloc on found the 取号 categories scrolled to y = -1.9e12 after a 4.7 s switch,
  the next tap landing on nothing (a blank page for a citizen). The patch splits a long frame
  into ``std_dt`` steps (at most ``MAX_EFFECT_STEPS``; the rest of a stall is dropped, so an
  effect only moves more slowly after one).

Must never change what a citizen sees; only bookkeeping and numerical stability.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

MAX_EFFECT_STEPS = 30  # ≈ 0.5 s of an effect's motion caught up after a stalled frame
# Frames up to this long keep Kivy's single step: it only goes unstable past ~0.35 s
# (friction · dt / std_dt > 1), and splitting ordinary slow frames (20 fps) changed how long a
# pad kept sliding after a tap enough for a quick tap to be taken for a drag.
STEADY_FRAME_S = 0.1

_applied = False


def _in_steps(original: Callable[[Any, float], None]) -> Callable[[Any, float], None]:
    def update_velocity(self: Any, dt: float) -> None:
        step = float(self.std_dt)
        if dt <= STEADY_FRAME_S:  # Kivy's own step is stable here: left exactly as it is
            original(self, dt)
            return
        for _ in range(min(math.ceil(dt / step), MAX_EFFECT_STEPS)):
            original(self, step)
            if self.velocity == 0 and not getattr(self, "overscroll", 0):
                return  # came to rest

    return update_velocity


def apply() -> None:
    global _applied
    if _applied:
        return
    from kivy.effects.dampedscroll import DampedScrollEffect
    from kivy.effects.kinetic import KineticEffect
    from kivy.uix.scrollview import ScrollView

    original = ScrollView.update_from_scroll

    def update_from_scroll(self: Any, *largs: Any) -> None:
        self.funbind("bar_color", self._change_bar_color)  # at most one binding, as meant
        original(self, *largs)

    ScrollView.update_from_scroll = update_from_scroll  # type: ignore[method-assign]
    for effect in (KineticEffect, DampedScrollEffect):  # Damped has its own update_velocity
        effect.update_velocity = _in_steps(effect.update_velocity)  # type: ignore[method-assign]
    _applied = True
