"""Work-arounds for Kivy behaviour that hurts a kiosk running for months. Applied once by the
app (``apply()``); each says what it fixes and how it was found.

- ``ScrollView.update_from_scroll`` binds ``bar_color`` again on every scroll update and unbinds
  it once, half a second after the last one (kivy/uix/scrollview.py, 2.3.1): every scroll
  within that half second leaves one more binding behind. ``bench/soak.py`` under tracemalloc
  found it as the largest growth (≈ 0.85 MB per 80 journeys, ~13,000 bindings). The patch
  removes the earlier binding first, so there is at most one.

Must never change what a citizen sees; only bookkeeping.
"""

from __future__ import annotations

from typing import Any

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from kivy.uix.scrollview import ScrollView

    original = ScrollView.update_from_scroll

    def update_from_scroll(self: Any, *largs: Any) -> None:
        self.funbind("bar_color", self._change_bar_color)  # at most one binding, as meant
        original(self, *largs)

    ScrollView.update_from_scroll = update_from_scroll  # type: ignore[method-assign]
    _applied = True
