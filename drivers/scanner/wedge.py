"""Tell a keyboard-wedge scanner from a person typing, by keystroke timing alone.

A USB "keyboard wedge" scanner types the code into whatever has focus, a few milliseconds per
key, and presses Enter. People type at 80–300 ms per key, irregularly. ``WedgeDetector`` is a pure
state machine fed ``(key, timestamp)`` pairs (the Kivy screen passes Window key events, the time
in seconds from any monotonic clock): fast keys are held back until it is clear whether they are
a scan; a burst of at least ``min_length`` keys, each within ``max_gap`` of the previous one,
ending in Enter becomes a ``ScannedCode(source="wedge")``; anything else is handed back as
``Typed`` keys to replay into the focused field. It must never read a clock, never drop a
person's keystroke, and never touch the UI.

Keys: one-character strings are text; longer strings are key names (``"enter"``,
``"backspace"``…). Modifier names (``"shift"``…) are ignored because the character already
carries the case. Call ``flush(now)`` on a timer (e.g. every 50 ms) so a person's last keys are
released even when no further key comes.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.scanner.base import ScannedCode

ENTER_KEYS = frozenset({"enter", "return", "numpadenter", "\r", "\n"})
MODIFIER_KEYS = frozenset({"shift", "lshift", "rshift", "ctrl", "lctrl", "rctrl", "alt",
                           "lalt", "ralt", "alt-gr", "capslock", "numlock", "super", "meta"})


@dataclass(frozen=True)
class Typed:
    """Keys a person typed, in order, to be replayed into the focused field."""

    keys: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(k for k in self.keys if len(k) == 1)


WedgeEvent = ScannedCode | Typed


class WedgeDetector:
    def __init__(self, *, max_gap: float = 0.030, min_length: int = 4) -> None:
        if max_gap <= 0 or min_length < 1:
            raise ValueError("max_gap must be positive and min_length at least 1")
        self.max_gap = max_gap
        self.min_length = min_length
        self._held: list[str] = []
        self._last_at: float | None = None

    @property
    def holding(self) -> bool:
        """True while keys are held back waiting to see whether they are a scan."""
        return bool(self._held)

    def feed(self, key: str, t: float) -> list[WedgeEvent]:
        if key.lower() in MODIFIER_KEYS:
            return []
        events = self.flush(t)
        burst_continues = self._last_at is not None and t - self._last_at <= self.max_gap
        if key in ENTER_KEYS or key.lower() in ENTER_KEYS:
            if self._held and burst_continues and len(self._held) >= self.min_length:
                code = ScannedCode("".join(self._held), "unknown", "wedge")
                self._reset()
                return [*events, code]
            events += self._release()
            return [*events, Typed((key,))]
        if len(key) != 1:
            # a named key (backspace, arrows) is never part of a scan: the person is typing
            return [*events, *self._release(), Typed((key,))]
        if not burst_continues:
            events += self._release()
        self._held.append(key)
        self._last_at = t
        return events

    def flush(self, now: float) -> list[WedgeEvent]:
        """Release held keys as typing once ``max_gap`` passed without the next key."""
        if self._held and self._last_at is not None and now - self._last_at > self.max_gap:
            return self._release()
        return []

    def _release(self) -> list[WedgeEvent]:
        held = tuple(self._held)
        self._reset()
        return [Typed(held)] if held else []

    def _reset(self) -> None:
        self._held = []
        self._last_at = None
