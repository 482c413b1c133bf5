"""The start-up warm-up behind home: every screen built, laid out, its rows made and its text
drawn before the first citizen visits it, and a journey's view drawn once per entry.

A first visit used to pay, on the frame the citizen was waiting for, for making a list's rows
(自助申报: 195 ms) and for drawing every label's pixels (Kivy draws them the first time a texture
is bound, i.e. when the screen first appears).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


def count_draws(monkeypatch: pytest.MonkeyPatch, view: type) -> list[str]:
    """Every ``view.draw`` from now on, by screen name."""
    draws: list[str] = []
    original = view.draw
    monkeypatch.setattr(view, "draw", lambda self: (draws.append(self.name), original(self))[1])
    return draws


@pytest.fixture
def fills(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every label text Kivy draws into pixels from now on."""
    from kivy.core.text import LabelBase

    drawn: list[str] = []
    original = LabelBase._texture_fill

    def counted(self: Any, texture: Any) -> None:
        drawn.append(str(self.text))
        original(self, texture)

    monkeypatch.setattr(LabelBase, "_texture_fill", counted)
    return drawn


def test_after_the_warm_up_a_first_visit_draws_no_text_again(kiosk: Kiosk,
                                                              fills: list[str]) -> None:
    """Given the app warmed up behind home, when a citizen first opens 使用帮助 (nothing on it
    changes with a citizen), then not one of its texts is drawn on that frame."""
    kiosk.wait_until(kiosk.app.warmed, timeout=60, what="the start-up warm-up")
    assert kiosk.app.current == "home"
    before = len(fills)
    kiosk.app.go("help")
    kiosk.pump(2)
    assert fills[before:] == []


def test_the_submission_list_is_made_behind_home_and_drawn_once_per_entry(
        kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the warm-up, the 自助申报 list already holds the first category's rows before any
    visit; when a citizen opens it, its view is drawn once (the flow's start no longer draws it
    a second time)."""
    from screens.submit import SubmitItemsScreen

    kiosk.wait_until(kiosk.app.warmed, timeout=60, what="the start-up warm-up")
    screen = kiosk.app.sm.get_screen("submit")
    first = kiosk.ctx.flows.submission.categories()[0].code
    rows = screen.ids.item_list.children
    assert rows and {r.item_id for r in rows} == {
        i.id for i in kiosk.ctx.flows.submission.items(first)}
    assert all(r.label for r in rows)

    draws = count_draws(monkeypatch, SubmitItemsScreen)
    kiosk.app.go("submit")
    kiosk.pump(2)
    assert draws == ["submit"]
    # and it still follows the flow afterwards: another category's tab redraws the list
    second = kiosk.ctx.flows.submission.categories()[1].code
    kiosk.tap(f"submit_category_{second}")
    kiosk.pump(2)
    assert draws[1:] and {r.item_id for r in screen.ids.item_list.children} == {
        i.id for i in kiosk.ctx.flows.submission.items(second)}


def test_after_the_warm_up_a_full_collection_no_longer_walks_the_app(kiosk: Kiosk) -> None:
    """Given the warm-up done, the objects built so far are frozen out of the cyclic garbage
    collector: a full collection, which walked all of them (~0.3 s on the UI thread), now
    walks only what was made since."""
    import gc

    kiosk.wait_until(kiosk.app.warmed, timeout=60, what="the start-up warm-up")
    assert gc.get_freeze_count() > 100_000
    gc.collect()
    # what a full collection walks (the pause is measured by bench/bench_screens.py)
    assert len(gc.get_objects()) < gc.get_freeze_count() / 2


def test_the_progress_view_is_drawn_once_per_entry(kiosk: Kiosk,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Given 进度查询's view (a JourneyView, whose enter() starts the flow), when a citizen opens
    it, then it is drawn once, not again for the FlowChanged of the start it already drew."""
    from screens.progress import ProgressScreen

    draws = count_draws(monkeypatch, ProgressScreen)
    kiosk.app.go("progress")
    kiosk.pump(3)
    assert draws == ["progress"]


def test_the_staff_locker_view_is_drawn_once_per_entry(kiosk: Kiosk,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Given 工作人员's view (its own shape, not a FlowView), when staff open it, then it is
    drawn once, not again for the start's FlowChanged; a later change is still drawn."""
    from screens.locker_staff import LockerStaffScreen
    from screens.queue_common import close_notices

    draws = count_draws(monkeypatch, LockerStaffScreen)
    kiosk.app.go("locker_staff")
    kiosk.pump(3)
    assert draws == ["locker_staff"]
    kiosk.ctx.flows.locker_staff.code_scanned("NOT-A-STAFF-CODE")  # refused: a notice
    kiosk.wait_until(lambda: len(draws) == 2, what="the refusal drawn")
    close_notices()
    kiosk.app.go_home()
    kiosk.pump(2)
