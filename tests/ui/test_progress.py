"""Progress lookup (办件查询) in the real app under Xvfb, driven by touches and the simulated
scanner and ID card reader, against the REAL hall server on loopback: a receipt QR → the case
(status, timeline, owed list, the locker); an ID card → the list → a case; the server down →
the last known state with its age; forged and unknown receipts. Screenshots in zh, en and elder
mode under tests/artifacts/progress/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from drivers.idcard.samples import SAMPLE_CARDS
from kiosk.clock import ManualClock
from kiosk.privacy import id_hash
from kiosk.progress.reader import HallReader
from tests.progress_hall import RunningHall, add_case, open_hall
from tests.ui.conftest import ARTIFACTS, Kiosk
from tests.ui.queue_helpers import problems_on_screen

pytestmark = pytest.mark.ui

OUT = ARTIFACTS / "progress"
CONTRACT = "解除或终止劳动合同证明"  # 失业登记 may owe it under 容缺 (id end-contract-proof)


def shot(kiosk: Kiosk, name: str, folder: Path = OUT) -> Path:
    """Screenshot into the journey's folder, after checking nothing overflows or is too small."""
    from kivy.core.window import Window

    kiosk.pump(3)
    problems = problems_on_screen(kiosk.app.sm.current_screen, Window.width)
    assert problems == [], f"{name}: {problems}"
    folder.mkdir(parents=True, exist_ok=True)
    flat = kiosk.screenshot(f"{folder.name}_{name}")
    target = folder / f"{name}.png"
    shutil.move(flat, target)
    assert target.stat().st_size > 10_000
    return target


@pytest.fixture
def hall(kiosk: Kiosk, tmp_path: Path) -> Iterator[RunningHall]:
    """The real hall server sharing the kiosk's hall secret; the kiosk reads from it."""
    from screens.queue_common import close_notices

    running = open_hall(tmp_path, secret=kiosk.ctx.queue.secret)
    flow = kiosk.ctx.flows.progress
    flow.connect(HallReader(running.url, running.token, 2.0))
    try:
        yield running
    finally:
        close_notices()
        kiosk.app.go_home()
        kiosk.ctx.sessions.end("test_reset")
        flow.connect(None)
        running.close()
        kiosk.pump()


def person(kiosk: Kiosk, card: str = "resident") -> str:
    return id_hash(SAMPLE_CARDS[card].id_number, kiosk.ctx.queue.secret)


def receipt(kiosk: Kiosk, token: str) -> str:
    return f"{kiosk.ctx.config.hall.progress_url}/{token}"


def scan(kiosk: Kiosk, text: str, screen: str) -> None:
    kiosk.sim("scanner").scan(text)
    kiosk.wait_until(lambda: kiosk.app.current == screen
                     and not kiosk.ctx.flows.progress.state.looking, what=f"screen {screen}")
    kiosk.pump(3)


def popup_text(kiosk: Kiosk) -> str:
    """The notice on screen (waited for: it opens the frame after its screen is shown)."""
    from kivy.core.window import Window

    from screens.queue_common import NoticePopup

    def popups() -> list[NoticePopup]:
        return [w for w in Window.children if isinstance(w, NoticePopup)]

    kiosk.wait_until(popups, what=f"a notice on {kiosk.app.current}")
    kiosk.pump(2)
    popup = popups()[-1]
    return f"{popup.heading} {popup.message}"


def test_a_receipt_scanned_on_home_opens_its_case(kiosk: Kiosk, hall: RunningHall) -> None:
    """Given a case at the hall, when its receipt QR is scanned on home (no tile tapped), then
    the case page opens with its status: the receipt saves the citizen a tap."""
    ref = add_case(hall, person(kiosk), statuses=("under_review",))
    assert kiosk.app.current == "home"
    scan(kiosk, receipt(kiosk, ref.token), "progress_case")
    assert kiosk.get("progress_case_status").text == "审核中"
    assert ref.number in kiosk.get("progress_case_number").text


def test_a_receipt_shows_the_case_and_the_last_known_state_when_the_server_is_down(
        kiosk: Kiosk, hall: RunningHall) -> None:
    """Given a case under review with a contract owed, when the citizen taps 办件查询
    and scans the receipt, then the case page shows 审核中, the owed material with its
    deadline and the timeline, in Chinese, English and elder mode; when the hall server is
    then down and the receipt is scanned again 25 minutes later, the same state is shown with
    "25 分钟前"."""
    ref = add_case(hall, person(kiosk), statuses=("under_review",),
                   owed=(("end-contract-proof", CONTRACT, date(2026, 6, 8)),))
    kiosk.tap("tile_progress")
    assert kiosk.app.current == "progress"
    shot(kiosk, "zh_1_start")
    scan(kiosk, receipt(kiosk, ref.token), "progress_case")
    assert kiosk.get("progress_case_status").text == "审核中"
    assert f"{CONTRACT}：请于 2026-06-08 前补交" in kiosk.get("progress_case_owed").text
    assert "已受理" in kiosk.get("progress_case_timeline").text
    assert ref.number in kiosk.get("progress_case_number").text
    assert kiosk.get("progress_case_age").text == ""
    shot(kiosk, "zh_2_case")
    kiosk.app.toggle_language()
    kiosk.pump()
    assert kiosk.get("progress_case_status").text == "Under review"
    assert "Proof of ended labour contract: hand in by 2026-06-08" in kiosk.get(
        "progress_case_owed").text  # the catalogue's English for the hall's Chinese name
    shot(kiosk, "en_2_case")
    kiosk.app.toggle_language()
    kiosk.app.set_elder(True)
    kiosk.pump(3)
    shot(kiosk, "elder_2_case")
    kiosk.app.set_elder(False)
    kiosk.pump(3)
    kiosk.tap("nav_back")  # one case, reached by its receipt: Back is the scan step again
    kiosk.wait_until(lambda: kiosk.app.current == "progress", what="back at the start")

    hall.stop()
    clock = kiosk.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=25))
    scan(kiosk, receipt(kiosk, ref.token), "progress_case")
    assert kiosk.get("progress_case_status").text == "审核中"
    assert "25 分钟前" in kiosk.get("progress_case_age").text
    assert CONTRACT in kiosk.get("progress_case_owed").text
    shot(kiosk, "zh_3_case_offline")
    kiosk.app.set_elder(True)
    kiosk.pump(3)
    shot(kiosk, "elder_3_case_offline")
    kiosk.app.toggle_language()
    kiosk.pump(3)
    assert "25 minutes ago" in kiosk.get("progress_case_age").text
    shot(kiosk, "en_elder_3_case_offline")


def test_an_id_card_lists_the_cases_and_a_case_in_the_locker_says_how_to_collect(
        kiosk: Kiosk, hall: RunningHall) -> None:
    """Given two cases of the card holder, one ready in locker compartment 12, when the card
    is laid on the reader at 办件查询, then the list shows both with the masked name; tapping
    the locker case shows compartment 12 and the SMS code; Back returns to the list and 完成
    ends the session at home."""
    # a holder no other test submits for: cases this kiosk submitted are listed too, and the
    # submission tests may have run first on this worker
    holder = "hk_permit"
    add_case(hall, person(kiosk, holder), statuses=("under_review",),
             owed=(("household-register", "户口簿", None),))
    locker = add_case(hall, person(kiosk, holder), delivery="locker",
                      items=("employment-registration",),
                      statuses=("under_review", "approved", "ready_for_pickup"), locker=12)
    kiosk.tap("tile_progress")
    kiosk.sim("idcard").present(SAMPLE_CARDS[holder])
    kiosk.wait_until(lambda: kiosk.app.current == "progress_list", what="the list")
    kiosk.pump(3)
    heading = kiosk.get("progress_list_heading").text
    assert SAMPLE_CARDS[holder].name not in heading and "*" in heading
    assert "共 2 件" in heading
    shot(kiosk, "zh_4_list")
    kiosk.app.set_elder(True)
    kiosk.pump(3)
    shot(kiosk, "elder_4_list")
    kiosk.app.toggle_language()
    kiosk.pump(3)
    shot(kiosk, "en_elder_4_list")
    kiosk.app.toggle_language()
    kiosk.app.set_elder(False)
    kiosk.pump(3)
    kiosk.tap(f"progress_case_{locker.case_id}")
    kiosk.wait_until(lambda: kiosk.app.current == "progress_case"
                     and not kiosk.ctx.flows.progress.state.looking, what="the case page")
    kiosk.pump(3)
    collect = kiosk.get("progress_case_collect").text
    assert "12 号文件柜" in collect and "短信" in collect
    assert kiosk.get("progress_case_status").text == "待领取"
    assert "已受理" in kiosk.get("progress_case_timeline").text  # detail read on opening
    shot(kiosk, "zh_5_case_locker")
    kiosk.app.toggle_language()
    kiosk.pump(3)
    assert "compartment 12" in kiosk.get("progress_case_collect").text
    shot(kiosk, "en_5_case_locker")
    kiosk.app.toggle_language()
    kiosk.tap("nav_back")
    assert kiosk.app.current == "progress_list"
    kiosk.tap("progress_list_done")
    assert kiosk.app.current == "home"
    assert kiosk.ctx.flows.progress.state.cases == ()


def test_nothing_known_and_the_server_down_says_so(kiosk: Kiosk, hall: RunningHall) -> None:
    """Given a genuine receipt the kiosk never looked up, when the hall server is down, then
    a notice says the system cannot be reached (not "not found")."""
    ref = add_case(hall, person(kiosk))
    hall.stop()
    kiosk.tap("tile_progress")
    kiosk.sim("scanner").scan(receipt(kiosk, ref.token))
    kiosk.wait_until(lambda: kiosk.ctx.flows.progress.state.notice is not None,
                     what="the notice")
    kiosk.pump(3)
    assert "暂时无法连接办件系统" in popup_text(kiosk)
    shot(kiosk, "zh_6_unreachable")


def test_a_forged_receipt_is_refused_on_the_spot(kiosk: Kiosk, hall: RunningHall) -> None:
    """Given a receipt QR whose signature was altered, when scanned, then "not a receipt of
    this hall" is shown at once, in English when the screen is in English."""
    ref = add_case(hall, person(kiosk))
    kiosk.app.toggle_language()
    kiosk.tap("tile_progress")
    forged = ref.token[:-2] + ("AA" if not ref.token.endswith("AA") else "BB")
    kiosk.sim("scanner").scan(receipt(kiosk, forged))
    kiosk.wait_until(lambda: kiosk.ctx.flows.progress.state.notice is not None,
                     what="the notice")
    kiosk.pump(3)
    assert "not a receipt of this hall" in popup_text(kiosk)
    assert kiosk.app.current == "progress"
    shot(kiosk, "en_7_forged")


def test_the_case_page_in_landscape(kiosk: Kiosk, hall: RunningHall) -> None:
    """Given a landscape kiosk (1920x1080), when a case in the locker is shown, then the page
    fits the window with its bottom bar in view."""
    from tests.ui.conftest import LANDSCAPE, PORTRAIT

    ref = add_case(hall, person(kiosk), delivery="locker",
                   statuses=("under_review", "approved", "ready_for_pickup"), locker=3)
    kiosk.resize(LANDSCAPE)
    try:
        kiosk.tap("tile_progress")
        scan(kiosk, receipt(kiosk, ref.token), "progress_case")
        done = kiosk.get("progress_case_done")
        assert done.to_window(*done.pos)[1] >= 0
        shot(kiosk, "landscape_case_locker")
    finally:
        kiosk.resize(PORTRAIT)
