"""How to put the app on each registered screen with something worth drawing, for the layout
rules (tests/ui/test_layout_rules.py) and the screenshots of every screen.

A screen that can simply be gone to needs nothing here: ``show`` calls ``app.go(name)``. A screen
that draws a flow's state registers ONE entry in ``SHOW``: a function that drives its flow to a
representative state through the flow's own steps (never by writing its state) and goes to the
screen. ``show`` waits until the worker's answers (counts, estimate, commit, print) are in.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.ui.conftest import Kiosk

ITEM = "unemployment-registration"  # 失业登记: instant, open on weekdays


def _queue_items(k: Kiosk) -> None:
    k.ctx.flows.queue.start()
    k.ctx.flows.queue.choose_category("social")
    k.app.go("queue_items")


def _queue_identify(k: Kiosk) -> None:
    _queue_items(k)
    assert k.ctx.flows.queue.choose_item(ITEM)
    k.app.go("queue_identify")


def _queue_confirm(k: Kiosk) -> None:
    _queue_identify(k)
    k.app.go("queue_confirm")
    k.wait_until(lambda: not k.ctx.flows.queue.state.estimating, what="the estimate")


def _queue_ticket(k: Kiosk) -> None:
    _queue_confirm(k)
    assert k.ctx.flows.queue.confirm()
    k.wait_until(lambda: k.app.current == "queue_ticket", what="the ticket screen")
    k.wait_until(lambda: k.ctx.flows.queue.state.print_state.value == "printed",
                 what="the ticket printed")


def _guide_items(k: Kiosk) -> None:
    k.ctx.flows.guide.start()
    assert k.ctx.flows.guide.choose_category("social")
    k.app.go("guide_items")


def _guide_item(k: Kiosk) -> None:
    _guide_items(k)
    assert k.ctx.flows.guide.choose_item(ITEM)
    k.app.go("guide_item")


def _error(k: Kiosk) -> None:
    k.app.show_error("暂时无法取号", "系统暂时无法取号，请到服务台咨询",
                     next_msgid="请到服务台请工作人员帮助")


def _home(k: Kiosk) -> None:
    k.app.go("home")
    k.wait_until(lambda: k.find("home_queue_social") is not None, what="the queue rows")


SHOW: dict[str, Callable[[Kiosk], None]] = {
    "home": _home,
    "queue_items": _queue_items,
    "queue_identify": _queue_identify,
    "queue_confirm": _queue_confirm,
    "queue_ticket": _queue_ticket,
    "guide_items": _guide_items,
    "guide_item": _guide_item,
    "error": _error,
}


# Screens not yet converted to the layout rules, with why: each is an expected failure (strict:
# once the screen follows the rules, its entry must go). For merging journeys built before the
# rules existed; keep this empty otherwise.
PENDING: dict[str, str] = {}


def show(k: Kiosk, name: str) -> None:
    """Put the app on screen ``name`` in a representative state."""
    prepare = SHOW.get(name)
    if prepare is None:
        k.app.go(name)
    else:
        prepare(k)
    k.pump(4)
    assert k.app.current == name, f"wanted {name}, on {k.app.current}"
