"""自助申报 walked by touch in the real app under Xvfb: item, guide summary, ID card (an expired
one explained first), each material photographed by the simulated camera playing generated
document photographs (bad ones refused with their message, good ones taken by themselves),
confirm and retake, a material left out under commitment, delivery, review, submit, the receipt
on screen and on (simulated) paper; the camera unplugged mid-capture; a bundle. Every step is
photographed in Chinese, English and elder mode under tests/artifacts/submit/ after a check that
nothing overflows, leaves the window or is too small to touch.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from drivers.base import Fault
from drivers.idcard.samples import SAMPLE_CARDS
from kiosk.clock import ManualClock
from kiosk.flows.submission_state import SubmitStep
from kiosk.storage.models import LocalCase, OutboxMessage
from tests.ui.conftest import ARTIFACTS, Kiosk
from tests.ui.queue_helpers import hall_clock, next_hall_day, problems_on_screen

ITEM = "social-security-card"  # 居民身份证 (required), 二寸照片 (may follow later)
BUNDLE = "bundle-hire-employee"


@pytest.fixture
def hall(kiosk: Kiosk) -> Iterator[ManualClock]:
    from screens.queue_common import close_notices

    clock = kiosk.ctx.clock
    assert isinstance(clock, ManualClock)
    saved = clock.now()
    clock.set(hall_clock(next_hall_day(), time(10, 0)).now())
    camera = kiosk.sim("camera")
    try:
        yield clock
    finally:
        camera.clear()
        if camera.health().state.value != "ok":
            camera.open()
        show(kiosk, None)
        close_notices()
        kiosk.app.go_home()
        kiosk.pump()
        clock.set(saved)


def show(kiosk: Kiosk, defect: str | None, seed: int = 0) -> None:
    """The simulated camera plays a generated photograph of a page (``defect`` None: good)."""
    kiosk.sim("camera").show_document(defect=defect, seed=seed)


def shot(kiosk: Kiosk, name: str) -> Path:
    from kivy.core.window import Window

    kiosk.pump(3)
    problems = problems_on_screen(kiosk.app.sm.current_screen, Window.width)
    assert problems == [], f"{name}: {problems}"
    folder = ARTIFACTS / "submit"
    folder.mkdir(parents=True, exist_ok=True)
    kiosk.pump(4)
    kiosk.draw()
    written = Window.screenshot(name=str(folder / f"_{name}.png"))
    path = folder / f"{name}.png"
    shutil.move(written, path)
    assert path.stat().st_size > 10_000
    return path


def flow_state(kiosk: Kiosk) -> object:
    return kiosk.ctx.flows.submission.state


def wait_step(kiosk: Kiosk, step: SubmitStep, timeout: float = 15.0) -> None:
    kiosk.wait_until(lambda: kiosk.ctx.flows.submission.state.step is step, timeout=timeout,
                     what=f"step {step} (now {kiosk.ctx.flows.submission.state.step})")
    kiosk.pump(3)


def wait_guidance(kiosk: Kiosk, verdict: str, timeout: float = 15.0) -> None:
    def seen() -> bool:
        g = kiosk.ctx.flows.submission.state.guidance
        return g is not None and g.verdict == verdict

    kiosk.wait_until(seen, timeout=timeout, what=f"guidance {verdict}")
    kiosk.pump(2)


def present(kiosk: Kiosk, card: str) -> None:
    kiosk.sim("idcard").present(SAMPLE_CARDS[card])


def lift(kiosk: Kiosk) -> None:
    """Take the card off the reader and wait until the device manager has seen it go."""
    from kiosk.events import CardRemoved

    gone: list[object] = []
    unsubscribe = kiosk.ctx.bus.subscribe(CardRemoved, gone.append)
    try:
        kiosk.sim("idcard").remove()
        kiosk.wait_until(lambda: bool(gone), what="the card removal")
    finally:
        unsubscribe()


def to_capture(kiosk: Kiosk, item: str = ITEM, tag: str = "") -> None:
    kiosk.app.go("submit")
    kiosk.pump()
    if tag:
        shot(kiosk, f"{tag}-01-items")
    kiosk.tap(f"submit_item_{item}")
    assert kiosk.app.current == "submit_guide"
    if tag:
        shot(kiosk, f"{tag}-02-guide")
    kiosk.tap("submit_guide_start")
    assert kiosk.app.current == "submit_identify"
    if tag:
        present(kiosk, "expired")
        kiosk.wait_until(lambda: flow_state(kiosk).card_problem is not None,  # type: ignore[attr-defined]
                         what="the expired card refused")
        shot(kiosk, f"{tag}-03-card-expired")
        lift(kiosk)
    present(kiosk, "resident")
    kiosk.wait_until(lambda: flow_state(kiosk).step in (  # type: ignore[attr-defined]
        SubmitStep.CAPTURE, SubmitStep.REPEAT), what="the card accepted")
    kiosk.pump(3)
    if flow_state(kiosk).step is SubmitStep.REPEAT:  # type: ignore[attr-defined]
        # the same person filed this item in an earlier test: asked, then filed again
        assert kiosk.app.current == "submit_repeat"
        if tag:
            shot(kiosk, f"{tag}-03b-repeat")
        kiosk.tap("submit_repeat_continue")
        wait_step(kiosk, SubmitStep.CAPTURE)
    assert kiosk.app.current == "submit_capture"


def take(kiosk: Kiosk, tag: str = "", seed: int = 0) -> None:
    """A good page under the camera: taken by itself, shown straightened, 使用此页."""
    show(kiosk, None, seed)
    wait_step(kiosk, SubmitStep.CONFIRM_PAGE)
    if tag:
        shot(kiosk, tag)
    kiosk.tap("submit_capture_accept")
    assert flow_state(kiosk).step is SubmitStep.CAPTURE  # type: ignore[attr-defined]


def cases(kiosk: Kiosk) -> int:
    with kiosk.ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(LocalCase)).scalar_one())


@pytest.mark.parametrize("mode", ["zh", "en", "elder"])
def test_whole_submission_by_touch(kiosk: Kiosk, hall: ManualClock, mode: str) -> None:
    """Given the kiosk in {mode}, when a citizen files 申领社会保障卡 by touch — an expired card
    first (explained), then a valid one; a dark page, a glare spot and a page running off the
    frame each refused with its own message; the ID card photographed (retake once) in two
    pages; the photo left out under commitment; 到窗口领取 — then the case is committed once,
    the receipt is on screen with its reference and the owed photo, and printed."""
    if mode == "en":
        kiosk.app.toggle_language()
    if mode == "elder":
        kiosk.app.set_elder(True)
    before = cases(kiosk)
    to_capture(kiosk, tag=mode)
    show(kiosk, "dark")
    wait_guidance(kiosk, "dark")
    shot(kiosk, f"{mode}-04-capture-dark")
    dark_text = kiosk.get("submit_capture_guidance").text
    show(kiosk, "glare")
    wait_guidance(kiosk, "glare")
    assert kiosk.get("submit_capture_guidance").text != dark_text
    show(kiosk, "cut_off")
    wait_guidance(kiosk, "cut_off")
    shot(kiosk, f"{mode}-05-capture-cut-off")
    assert flow_state(kiosk).step is SubmitStep.CAPTURE  # type: ignore[attr-defined]
    show(kiosk, None)
    wait_step(kiosk, SubmitStep.CONFIRM_PAGE)
    shot(kiosk, f"{mode}-06-confirm-page")
    kiosk.tap("submit_capture_retake")
    take(kiosk)
    shot(kiosk, f"{mode}-07-page-saved")
    kiosk.tap("submit_capture_more")
    take(kiosk, seed=1)
    assert len(flow_state(kiosk).filed[0].pages) == 2  # type: ignore[attr-defined]
    kiosk.tap("submit_capture_next")
    shot(kiosk, f"{mode}-08-second-material")
    kiosk.tap("submit_capture_leave_out")
    assert kiosk.app.current == "submit_commitment"
    shot(kiosk, f"{mode}-09-commitment")
    kiosk.tap("submit_commitment_promise")
    assert kiosk.app.current == "submit_delivery"
    shot(kiosk, f"{mode}-10-delivery")
    kiosk.tap("submit_delivery_window")
    assert kiosk.app.current == "submit_review"
    shot(kiosk, f"{mode}-11-review")
    kiosk.tap("submit_review_submit")
    wait_step(kiosk, SubmitStep.RECEIPT)
    assert kiosk.app.current == "submit_receipt"
    screen = kiosk.app.sm.get_screen("submit_receipt")
    kiosk.wait_until(lambda: screen.print_state == "printed", what="the receipt printed")
    shot(kiosk, f"{mode}-12-receipt")
    assert cases(kiosk) == before + 1
    reference = kiosk.get("submit_receipt_reference").text
    assert reference.startswith(f"{kiosk.ctx.config.kiosk.id}-")
    owed = kiosk.get("submit_receipt_owed").text
    assert ("二寸" in owed) if mode != "en" else ("2-inch" in owed)
    printed = kiosk.sim("printer").last_bin_path.read_bytes()
    assert reference.encode() in printed
    kiosk.tap("submit_receipt_done")
    assert kiosk.app.current == "home"
    assert flow_state(kiosk).step is SubmitStep.ITEM  # type: ignore[attr-defined]
    assert not kiosk.ctx.sessions.current.identified


def test_the_camera_unplugged_mid_capture_keeps_pages_and_offers_a_window(
        kiosk: Kiosk, hall: ManualClock) -> None:
    """Given one page taken, when the camera is unplugged, then after a few seconds without
    frames the camera screen says so, lists the page kept, prints the list, and offers a queue
    ticket; nothing is committed."""
    before = cases(kiosk)
    to_capture(kiosk)
    take(kiosk)
    kiosk.tap("submit_capture_more")
    kiosk.sim("camera").inject(Fault.UNPLUGGED)
    for _ in range(10):
        kiosk.advance(0.5)
    wait_step(kiosk, SubmitStep.CAMERA_FAILED)
    assert kiosk.app.current == "submit_camera"
    assert "1" in kiosk.get("submit_camera_captured").text
    shot(kiosk, "zh-20-camera-failed")
    kiosk.tap("submit_camera_print_list")
    screen = kiosk.app.sm.get_screen("submit_camera")
    kiosk.wait_until(lambda: "已打印" in screen.print_text, what="the list printed")
    assert "居民身份证".encode("gb18030") in kiosk.sim("printer").last_bin_path.read_bytes()
    kiosk.tap("submit_camera_queue")
    assert kiosk.app.current == "queue"
    assert cases(kiosk) == before


def test_a_bundle_asks_the_shared_id_card_once(kiosk: Kiosk, hall: ManualClock) -> None:
    """Given 企业招用员工一件事, when filed, then the guide lists both items, the ID card is asked
    once, and the one case names both items with the bundle."""
    to_capture(kiosk, BUNDLE)
    plan = flow_state(kiosk).plan  # type: ignore[attr-defined]
    # the bundle's "员工居民身份证" and its items' "居民身份证" are one material ("id-card"),
    # asked once under the bundle's own wording
    cards = [m for m in plan.materials if m.id == "id-card"]
    assert [m.name for m in cards] == ["员工居民身份证"]
    assert not any(m.name == "居民身份证" for m in plan.materials)
    for i, material in enumerate(plan.materials):
        if material.required:
            take(kiosk, seed=i)
            kiosk.tap("submit_capture_next")
        else:
            kiosk.tap("submit_capture_leave_out")
    kiosk.tap("submit_commitment_promise")
    kiosk.tap("submit_delivery_window")
    shot(kiosk, "zh-30-bundle-review")
    kiosk.tap("submit_review_submit")
    wait_step(kiosk, SubmitStep.RECEIPT)
    shot(kiosk, "zh-31-bundle-receipt")
    with kiosk.ctx.engine.connect() as conn:
        payload = conn.execute(select(OutboxMessage.payload).where(
            OutboxMessage.kind == "case.created").order_by(OutboxMessage.id.desc())).scalar()
    assert payload["bundle_id"] == BUNDLE
    assert payload["item_ids"] == ["employment-registration", "social-insurance-enrolment"]


def test_lifting_the_card_keeps_the_application_and_landscape_fits(kiosk: Kiosk,
                                                                   hall: ManualClock) -> None:
    """Given the card read and one page taken, when the card is lifted, then the application and
    its page stay (identity is read once); in landscape the capture, review and receipt screens
    fit the window."""
    from tests.ui.conftest import LANDSCAPE, PORTRAIT

    to_capture(kiosk)
    take(kiosk)
    lift(kiosk)
    kiosk.pump(3)
    assert kiosk.app.current == "submit_capture"
    assert len(flow_state(kiosk).filed[0].pages) == 1  # type: ignore[attr-defined]
    kiosk.resize(LANDSCAPE)
    try:
        shot(kiosk, "zh-40-landscape-capture")
        kiosk.tap("submit_capture_next")
        kiosk.tap("submit_capture_leave_out")
        kiosk.tap("submit_commitment_promise")
        kiosk.tap("submit_delivery_post")
        shot(kiosk, "zh-41-landscape-review")
        kiosk.tap("submit_review_submit")
        wait_step(kiosk, SubmitStep.RECEIPT)
        shot(kiosk, "zh-42-landscape-receipt")
    finally:
        kiosk.resize(PORTRAIT)


def test_home_mid_journey_ends_the_session_and_the_next_person_starts_clean(
        kiosk: Kiosk, hall: ManualClock) -> None:
    """Given a page taken and the card lifted, when 首页 is tapped, then the session ends (the
    page and the card are dropped), and the next application asks for a card again instead of
    using the last person's."""
    to_capture(kiosk)
    take(kiosk)
    lift(kiosk)
    kiosk.tap("nav_home")
    assert kiosk.app.current == "home"
    kiosk.pump(3)
    assert not kiosk.ctx.sessions.current.identified
    assert flow_state(kiosk).filed == ()  # type: ignore[attr-defined]
    kiosk.app.go("submit")
    kiosk.pump()
    kiosk.tap(f"submit_item_{ITEM}")
    kiosk.tap("submit_guide_start")
    kiosk.pump(3)
    assert kiosk.app.current == "submit_identify"
    assert flow_state(kiosk).step is SubmitStep.IDENTIFY  # type: ignore[attr-defined]
