"""The soak's journeys besides 取号: a service-guide look-up with its checklist slip, and a
rating (好差评) of the ticket just taken, both by touch through the real UI (``bench/soak.py``).

Each one starts and ends at home and says, by raising ``AssertionError``, when the kiosk did not
do what a citizen would see it do. They count nothing themselves and must never reach into a
flow to make a step happen that a touch or a scan could not.
"""

from __future__ import annotations

import time
from typing import Any

GUIDE_CATEGORY = "social"
GUIDE_ITEM = "unemployment-registration"


def tap_row(k: Any, ident: str) -> None:
    """Tap a row of a RecycleView list where a finger would (``Kiosk.tap`` scrolls with
    ``scroll_to``, which Kivy 2.3's RecycleView cannot do), then wait out the ScrollView's
    deferred release as ``Kiosk.tap`` does."""
    from tests.ui.conftest import SCROLLVIEW_RELEASE_S

    row = k.get(ident)
    k.settle(row)
    x, y = row.to_window(*row.center)
    k.tap_at(x, y)
    released = time.monotonic() + SCROLLVIEW_RELEASE_S
    while time.monotonic() < released:
        k.pump(1)
    k.pump(2)


def guide_lookup(k: Any, paper_out: bool) -> bool:
    """办事指南 → 社会民生 → 失业登记 → 打印材料清单 → back home; True when the slip printed
    (it must have, unless the printer is out of paper: then the page says so)."""
    from kiosk.flows.guide_state import SlipState

    k.tap("tile_guide")
    assert k.app.current == "guide", f"on {k.app.current} after 办事指南"
    k.tap(f"guide_category_{GUIDE_CATEGORY}")
    assert k.app.current == "guide_items", f"on {k.app.current} after a category"
    tap_row(k, f"guide_item_{GUIDE_ITEM}")
    assert k.app.current == "guide_item", f"on {k.app.current} after an item"
    flow = k.ctx.flows.guide
    k.tap("guide_print")
    expected = SlipState.FAILED if paper_out else SlipState.PRINTED
    k.wait_until(lambda: flow.state.slip is expected, what=f"the slip {expected.name}")
    k.pump(2)
    k.tap("guide_item_back")
    k.tap("nav_back")
    k.tap("nav_back")
    assert k.app.current == "home", f"on {k.app.current} after three 返回"
    return not paper_out


def rate_ticket(k: Any, qr: str, level: int, contact: bool) -> None:
    """好差评 → scan the ticket's QR → a face (a reason, when bad) → 提交 → 完成."""
    k.tap("tile_rating")
    assert k.app.current == "rating", f"on {k.app.current} after 好差评"
    k.sim("scanner").scan(qr)
    flow = k.ctx.flows.rating
    k.wait_until(lambda: k.app.current == "rating_faces" and not flow.state.checking,
                 what="the faces")
    k.pump(3)
    k.tap(f"rating_face_{level}")
    if flow.state.bad:
        k.tap("rating_reason_1")
        k.tap("rating_submit_contact" if contact else "rating_submit_no_contact")
    else:
        k.tap("rating_submit")
    k.wait_until(lambda: k.app.current == "rating_thanks", what="the thanks")
    k.pump(2)
    k.tap("rating_done")
    assert k.app.current == "home", f"on {k.app.current} after 完成"
