"""Where each screen sits in the kiosk's tree, as data, so Back and Home are testable without a
window.

``PARENT`` maps every screen name to the screen its 返回/Back button leads to (``None`` only for
home). Adding a screen means one line here and one in ``screens.registry.SCREENS``; a test checks
the two agree. This module must never import Kivy.
"""

from __future__ import annotations

HOME = "home"

PARENT: dict[str, str | None] = {
    HOME: None,
    "error": HOME,
    "help": HOME,
    # 取号 (queue ticket) flow; a shown ticket goes back to a fresh category choice
    "queue": HOME,
    "queue_items": "queue",
    "queue_identify": "queue_items",
    "queue_confirm": "queue_identify",
    "queue_ticket": "queue",
    "queue_appointment": "queue",
    # maintenance: leaving either screen for home ends the mode
    "maint_pin": HOME,
    "maint": HOME,
}


class UnknownScreen(KeyError):
    pass


def back_target(name: str) -> str:
    """The screen Back leads to; home's Back stays on home."""
    if name not in PARENT:
        raise UnknownScreen(name)
    return PARENT[name] or HOME


def path_to_home(name: str) -> list[str]:
    """``name``, its parent, … ending with home. Raises on a cycle (a bug in ``PARENT``)."""
    path = [name]
    seen = {name}
    while path[-1] != HOME:
        parent = back_target(path[-1])
        if parent in seen:
            raise ValueError(f"navigation cycle: {' -> '.join([*path, parent])}")
        path.append(parent)
        seen.add(parent)
    return path
