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
    # 办事指南 (service guide); an item page opened from another flow goes back there (the
    # screen's go_back asks GuideFlow.back)
    "guide": HOME,
    "guide_items": "guide",
    "guide_item": "guide_items",
    # 自助申报: Back keeps the pages taken so far (until the session ends)
    "submit": HOME,
    "submit_guide": "submit",
    "submit_identify": "submit_guide",
    "submit_repeat": "submit_guide",
    "submit_capture": "submit_guide",
    "submit_camera": "submit_guide",
    "submit_commitment": "submit_capture",
    "submit_delivery": "submit_capture",
    "submit_review": "submit_delivery",
    "submit_receipt": HOME,
    # 办件查询: a case goes back to the list (which becomes the start for a single case)
    "progress": HOME,
    "progress_list": "progress",
    "progress_case": "progress_list",
    # 好差评: the thanks go back to a fresh scan (the session, and with it the rating, ends)
    "rating": HOME,
    "rating_faces": "rating",
    "rating_thanks": "rating",
    # 文件柜 (document locker): every step leads back to the locker's menu
    "locker": HOME,
    "locker_pickup": "locker",
    "locker_card": "locker",
    "locker_dropoff": "locker",
    "locker_door": "locker",
    "locker_staff": "locker",
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
