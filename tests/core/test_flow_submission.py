"""The self-service submission journey as a controller, without Kivy: every path step by step on
a ``ManualClock``, a real SQLite kiosk database, real image files under a temporary data folder,
and the simulated camera and printer behind the real device manager. Delivery is synchronous
(``call_now``); slow work runs inline. The page detector here is a scripted stand-in whose
verdict the test sets (the flow's contract with the camera package: verdict, message, corners,
steady, capture); ``test_flow_submission_camera.py`` runs the flow on the real detector.
"""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, select, update

from config.schema import Config
from drivers.base import Fault, Health, HealthState
from drivers.camera.simulated import SimulatedCamera
from drivers.printer.simulated import SimulatedPrinter
from kiosk.alerts import Alerts
from kiosk.cases.store import CaseStore
from kiosk.catalogue import Catalogue
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.devices import DeviceManager
from kiosk.events import DeviceHealthChanged, EventBus, call_now
from kiosk.flows.base import InlineWorker
from kiosk.flows.identity import CardProblem
from kiosk.flows.printing import PrintDesk
from kiosk.flows.queue_state import PrintState
from kiosk.flows.submission import SubmissionFlow
from kiosk.flows.submission_capture import DocumentTools, PageCapture
from kiosk.flows.submission_state import NoticeKind, SubmitState, SubmitStep
from kiosk.outbox import Outbox
from kiosk.privacy import id_hash
from kiosk.session import SessionKeeper
from kiosk.storage.models import AuditEntry, LocalCase, LocalCaseMaterial, OutboxMessage
from kiosk.tokens import case_from_token
from tests.core.conftest import MONDAY_10, SECRET, make_card

ITEM = "social-security-card"  # 居民身份证 (required), 二寸照片 (may follow later)
BUNDLE = "bundle-hire-employee"
CORNERS = ((200.0, 80.0), (1000.0, 80.0), (1000.0, 650.0), (200.0, 650.0))


class ScriptedDetector:
    """Stands in for the camera package: the test says what the next frames look like."""

    def __init__(self, steady_frames: int = 3) -> None:
        self.verdict = "ok"
        self.steady_frames = steady_frames
        self.seen = 0

    def tools(self) -> DocumentTools:
        return DocumentTools(self.assess, self.straighten, self.steady)

    def assess(self, frame: np.ndarray) -> Any:
        self.seen += 1
        found = self.verdict not in ("no_page",)
        return SimpleNamespace(verdict=self.verdict, message=f"msg:{self.verdict}",
                               corners=np.array(CORNERS, np.float32) if found else None)

    @staticmethod
    def straighten(frame: np.ndarray, corners: np.ndarray) -> np.ndarray:
        x0, y0 = corners[0]
        x1, y1 = corners[2]
        return frame[int(y0):int(y1), int(x0):int(x1)].copy()

    def steady(self) -> Any:
        detector = self

        class Steady:
            run = 0

            def feed(self, a: Any, at: float) -> Any:
                self.run = self.run + 1 if a.verdict == "ok" else 0
                capture = self.run == detector.steady_frames
                return SimpleNamespace(verdict=a.verdict, message=a.message, corners=a.corners,
                                       steady=min(1.0, self.run / detector.steady_frames),
                                       capture=capture)

            def reset(self) -> None:
                self.run = 0

        return Steady()


@dataclass
class Desk:
    flow: SubmissionFlow
    bus: EventBus
    sessions: SessionKeeper
    camera: SimulatedCamera
    printer: SimulatedPrinter
    detector: ScriptedDetector
    store: CaseStore
    engine: Engine
    data: Path
    manager: DeviceManager
    t: float = 100.0

    @property
    def state(self) -> SubmitState:
        return self.flow.state

    def frames(self, n: int) -> None:
        for _ in range(n):
            self.t += 0.066
            self.flow.capture_tick(self.t)

    def take_page(self) -> None:
        """Hold a good page under the camera until it is taken, then use it."""
        self.detector.verdict = "ok"
        self.frames(self.detector.steady_frames)
        assert self.state.step is SubmitStep.CONFIRM_PAGE, self.state.step
        self.flow.accept_page()

    def identify(self, item: str = ITEM, card: Any = None) -> None:
        self.flow.start()
        assert self.flow.choose_item(item)
        assert self.state.step is SubmitStep.GUIDE
        self.flow.enter_identify()
        self.flow.card_inserted(card or make_card())

    def count(self, model: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(model)).scalar_one())

    def outbox(self) -> list[OutboxMessage]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(OutboxMessage.__table__)).all())

    def close(self) -> None:
        self.flow.close()
        self.manager.stop()

    def wait_printed(self) -> None:
        import threading
        import time

        deadline = time.monotonic() + 5
        done = threading.Event()
        while self.state.print_state is PrintState.PRINTING:
            assert time.monotonic() < deadline, "the print never finished"
            done.wait(0.02)


def _config(tmp_path: Path, extra: str = "") -> Config:
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\n{extra}', encoding="utf-8")
    return load_config(site)


def build_desk(engine: Engine, catalogue: Catalogue, clock: Any, config: Config, data: Path,
               printouts: Path) -> Desk:
    """The flow wired like the app's, on ``engine`` and image folder ``data``."""
    bus = EventBus(call_now)
    camera = SimulatedCamera()
    printer = SimulatedPrinter(printouts, previews=False)
    manager = DeviceManager({"camera": camera, "printer": printer}, bus, health_s=60.0)
    manager.start()
    sessions = SessionKeeper(bus)
    store = CaseStore(engine, config, clock, Outbox(config.hall.code), data, SECRET)
    detector = ScriptedDetector()
    capture = PageCapture(detector.tools(), InlineWorker(call_now), 85)
    flow = SubmissionFlow(bus=bus, worker=InlineWorker(call_now), clock=clock, config=config,
                          sessions=sessions, catalogue=catalogue, store=store,
                          devices=manager, capture=capture,
                          printing=PrintDesk(manager, Alerts(engine, "K01", clock), call_now),
                          secret=lambda: SECRET)
    return Desk(flow, bus, sessions, camera, printer, detector, store, engine, data, manager)


@pytest.fixture
def make_desk(engine: Engine, catalogue: Catalogue, clock: ManualClock, tmp_path: Path
              ) -> Iterator[Callable[..., Desk]]:
    built: list[Desk] = []

    def build(config: Config | None = None) -> Desk:
        desk = build_desk(engine, catalogue, clock, config or _config(tmp_path),
                          tmp_path / "var", tmp_path / "printouts")
        built.append(desk)
        return desk

    yield build
    for desk in built:
        desk.close()


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    return make_desk()


def submit_plain(desk: Desk, *, leave_out_photo: bool = False, delivery: str = "window") -> None:
    desk.identify()
    assert desk.state.step is SubmitStep.CAPTURE
    assert desk.state.material is not None and desk.state.material.name == "居民身份证"
    desk.take_page()
    desk.flow.next_page()
    desk.take_page()  # the back of the card: a second page
    assert len(desk.state.filed[0].pages) == 2
    assert desk.flow.next_material()
    if leave_out_photo:
        assert desk.flow.can_leave_out()
        assert desk.flow.next_material()
        assert desk.state.step is SubmitStep.COMMITMENT
        desk.flow.give_commitment()
    else:
        desk.take_page()
        assert desk.flow.next_material()
    assert desk.state.step is SubmitStep.DELIVERY
    desk.flow.choose_delivery(delivery)
    assert desk.state.step is SubmitStep.REVIEW
    assert desk.flow.submit()


# ---- the happy path --------------------------------------------------------------------------
def test_a_submission_is_committed_with_its_images_then_the_receipt_prints(desk: Desk) -> None:
    """Given the social security card item, when the ID card (two pages) and the photo are
    photographed and 到窗口领取 chosen, then one case, its materials, pages, an audit row and
    one case.created outbox message are committed; the image files are on disk (folder 0700,
    files 0600) with the sha256 the payload names; the receipt is on screen and printed."""
    submit_plain(desk)
    assert desk.state.step is SubmitStep.RECEIPT
    committed = desk.state.committed
    assert committed is not None
    assert committed.local_ref == "K01-20260105-001"
    assert (desk.count(LocalCase), desk.count(LocalCaseMaterial), desk.count(AuditEntry)) \
        == (1, 2, 1)
    [message] = desk.outbox()
    assert message.kind == "case.created"
    assert message.idempotency_key == f"QZ01:case:{committed.case_id}"
    payload = message.payload
    assert set(payload) == {"case_id", "hall", "kiosk", "item_ids", "bundle_id", "person_hash",
                            "masked_name", "delivery", "submitted_at", "promised_date",
                            "repeat_of", "materials"}
    assert payload["item_ids"] == [ITEM] and payload["bundle_id"] is None
    assert payload["person_hash"] == id_hash("11010519491231002X", SECRET)
    assert payload["masked_name"] == "张*" and payload["delivery"] == "window"
    assert payload["repeat_of"] is None
    assert payload["promised_date"] == "2026-01-12"  # 5 working days after Monday 5 January
    assert datetime.fromisoformat(payload["submitted_at"]) == MONDAY_10
    folder = Path(committed.files_dir)
    assert folder == desk.data.resolve() / "cases" / committed.case_id
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    pages = [p for m in payload["materials"] for p in m["pages"]]
    assert [m["status"] for m in payload["materials"]] == ["received", "received"]
    assert [p["file"] for p in pages] == ["m1-p1.jpg", "m1-p2.jpg", "m2-p1.jpg"]
    for page in pages:
        path = Path(page["path"])
        assert path.is_absolute() and path.parent == folder
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = path.read_bytes()
        assert data[:2] == b"\xff\xd8"  # a JPEG
        assert hashlib.sha256(data).hexdigest() == page["sha256"]
    receipt = committed.receipt
    assert [(r.name.zh, r.pages) for r in receipt.received] == [("居民身份证", 2),
                                                                ("近期二寸免冠白底照片", 1)]
    assert receipt.owed == ()
    assert case_from_token(receipt.progress_url.rsplit("/", 1)[1], SECRET) == committed.case_id
    desk.wait_printed()
    assert desk.state.print_state is PrintState.PRINTED
    assert desk.printer.last_bin_path is not None
    assert b"K01-20260105-001" in desk.printer.last_bin_path.read_bytes()
    assert "11010519491231002X" not in json.dumps(payload)
    assert "张三" not in json.dumps(payload, ensure_ascii=False)


def test_the_second_case_of_the_day_gets_the_next_reference(desk: Desk) -> None:
    """Given one case filed today, when another person files one, then its reference is 002."""
    submit_plain(desk)
    desk.flow.finish()
    desk.identify(card=make_card(id_number="110105198005170019", name="李小明"))
    assert desk.state.step is SubmitStep.CAPTURE
    desk.take_page()
    assert desk.flow.next_material()
    assert desk.flow.next_material()  # the photo may follow later
    desk.flow.give_commitment()
    desk.flow.choose_delivery("post")
    assert desk.flow.submit()
    assert desk.state.committed is not None
    assert desk.state.committed.local_ref == "K01-20260105-002"


# ---- 容缺 commitment ---------------------------------------------------------------------------
def test_a_material_left_out_needs_a_commitment_and_is_listed_with_its_deadline(
        desk: Desk) -> None:
    """Given the photo may follow later, when it is left out, then the commitment step shows
    it; after 我承诺 the case is committed with it owed, due 5 working days on, and the receipt
    lists it in the one-time list (一次性告知)."""
    submit_plain(desk, leave_out_photo=True)
    committed = desk.state.committed
    assert committed is not None
    [message] = desk.outbox()
    owed = [m for m in message.payload["materials"] if m["status"] == "owed"]
    assert owed == [{"material_id": "photo-2-inch", "name": "近期二寸免冠白底照片",
                     "status": "owed", "due_date": "2026-01-12", "pages": []}]
    assert [(o.name.zh, o.due) for o in committed.receipt.owed] == \
        [("近期二寸免冠白底照片", date(2026, 1, 12))]


def test_a_required_material_cannot_be_left_out(desk: Desk) -> None:
    """Given the ID card is required, when 下一项 is tapped with no page, then nothing moves
    and it cannot be promised for later."""
    desk.identify()
    assert not desk.flow.can_leave_out()
    assert not desk.flow.next_material()
    assert desk.state.material_index == 0 and desk.state.step is SubmitStep.CAPTURE


def test_retake_drops_the_shown_page_and_bad_frames_are_named(desk: Desk) -> None:
    """Given the preview, when the page is too dark, then the guidance names it and nothing is
    taken; when a page is taken and 重拍 tapped, then it is dropped and the preview looks
    again; a page is only kept after 使用此页."""
    desk.identify()
    desk.detector.verdict = "dark"
    desk.frames(10)
    assert desk.state.step is SubmitStep.CAPTURE
    assert desk.state.guidance is not None and desk.state.guidance.verdict == "dark"
    assert desk.state.guidance.message == "msg:dark"
    desk.detector.verdict = "ok"
    desk.frames(3)
    assert desk.state.step is SubmitStep.CONFIRM_PAGE and desk.state.pending_page
    desk.flow.retake()
    assert desk.state.step is SubmitStep.CAPTURE and desk.state.pending_page is None
    assert desk.state.filed[0].pages == ()
    desk.take_page()
    assert len(desk.state.filed[0].pages) == 1
    desk.frames(10)  # the accepted page still lies there: not taken again until 拍下一页
    assert desk.state.step is SubmitStep.CAPTURE and len(desk.state.filed[0].pages) == 1


# ---- repeat ----------------------------------------------------------------------------------
def test_the_same_person_and_item_while_a_case_is_open_is_asked_and_flagged(desk: Desk) -> None:
    """Given a case of this person for this item committed today, when they start the same item
    again, then the flow stops at REPEAT naming the open case; after 继续申报 the new case is
    committed with repeat_of (the server's number once it answered), never silently doubled."""
    submit_plain(desk)
    first = desk.state.committed
    assert first is not None
    desk.flow.finish()
    with desk.engine.begin() as conn:  # the hall server answered for the first case
        conn.execute(update(OutboxMessage.__table__).values(
            response={"case_number": "SB20260105-0007", "case_id": first.case_id}))
    desk.identify()
    assert desk.state.step is SubmitStep.REPEAT
    assert desk.state.open_case is not None
    assert desk.state.open_case.number == "SB20260105-0007"
    desk.flow.confirm_repeat()
    assert desk.state.step is SubmitStep.CAPTURE
    desk.take_page()
    desk.flow.next_material()
    desk.flow.next_material()
    desk.flow.give_commitment()
    desk.flow.choose_delivery("locker")
    assert desk.flow.submit()
    second = desk.state.committed
    assert second is not None and second.receipt.repeat_of == "SB20260105-0007"
    messages = desk.outbox()
    assert [m.payload["repeat_of"] for m in messages] == [None, "SB20260105-0007"]
    with desk.engine.connect() as conn:
        flagged = conn.execute(select(LocalCase.repeat_of).where(
            LocalCase.case_id == second.case_id)).scalar_one()
    assert flagged == first.case_id


def test_a_repeat_is_not_confirmed_by_leaving(desk: Desk) -> None:
    """Given the REPEAT question, when the citizen leaves instead, then nothing is committed."""
    submit_plain(desk)
    desk.flow.finish()
    desk.identify()
    assert desk.state.step is SubmitStep.REPEAT
    desk.flow.finish()
    assert desk.state == SubmitState() and desk.count(LocalCase) == 1


# ---- bundle ----------------------------------------------------------------------------------
def test_a_bundle_is_one_application_with_the_union_of_materials_asked_once(desk: Desk) -> None:
    """Given 企业招用员工一件事 (就业登记 + 社会保险参保登记, both needing the ID card), when it is
    filed, then the ID card is photographed once, one case lists both items with bundle_id,
    and one receipt names every item."""
    desk.identify(BUNDLE)
    plan = desk.state.plan
    assert plan is not None
    names = [m.name for m in plan.materials]
    # the catalogue gives the employee's ID card and the items' ID card one id: asked once
    assert sorted(names) == sorted(["营业执照", "员工居民身份证", "劳动合同"])
    assert names.count("员工居民身份证") == 1
    card = plan.material("id-card")
    assert set(card.items) == {"bundle-hire-employee", "employment-registration",
                               "social-insurance-enrolment"}
    for material in plan.materials:
        if material.required:
            desk.take_page()
            assert desk.flow.next_material()
        else:
            assert desk.flow.next_material()
    desk.flow.give_commitment()
    desk.flow.choose_delivery("window")
    assert desk.flow.submit()
    [message] = desk.outbox()
    payload = message.payload
    assert payload["item_ids"] == ["employment-registration", "social-insurance-enrolment"]
    assert payload["bundle_id"] == BUNDLE
    assert [m["material_id"] for m in payload["materials"]].count("id-card") == 1
    receipt = desk.state.committed.receipt  # type: ignore[union-attr]
    assert [n.zh for n in receipt.items] == ["就业登记", "社会保险参保登记"]
    assert receipt.bundle is not None and receipt.bundle.zh == "企业招用员工一件事"


# ---- card ------------------------------------------------------------------------------------
def test_an_expired_card_is_explained_and_nothing_is_kept(desk: Desk) -> None:
    """Given the identify step, when a card that expired last year is tapped, then the state
    says expired with its date, no person is hashed and the camera does not start."""
    card = replace(make_card(), valid_until=date(2025, 12, 31))
    desk.identify(card=card)
    assert desk.state.step is SubmitStep.IDENTIFY
    problem = desk.state.card_problem
    assert problem is not None and problem.problem is CardProblem.EXPIRED
    assert problem.until_text == "2025-12-31"
    assert desk.state.person_hash == "" and desk.sessions.current.card is None


def test_a_card_tapped_on_home_is_read_once_and_used(desk: Desk) -> None:
    """Given a card already accepted in this session, when the identify step is entered, then
    it is used without another tap."""
    desk.sessions.current.card = make_card()
    desk.flow.start()
    desk.flow.choose_item(ITEM)
    desk.flow.enter_identify()
    assert desk.state.step is SubmitStep.CAPTURE and desk.state.masked_name == "张*"


# ---- camera failure --------------------------------------------------------------------------
def test_an_unplugged_camera_keeps_what_was_captured_and_offers_a_window(desk: Desk) -> None:
    """Given one page of the ID card taken, when the camera is unplugged mid-capture, then after
    camera_silent_seconds without a frame the flow says so, keeps the page, prints a slip of
    what was captured; when the camera is back, capture resumes at the same material with the
    page still there."""
    desk.identify()
    desk.take_page()
    desk.flow.next_page()
    desk.camera.inject(Fault.UNPLUGGED)
    desk.frames(10)  # 0.66 s: not yet
    assert desk.state.step is SubmitStep.CAPTURE
    desk.frames(50)  # > 3 s without a frame
    assert desk.state.step is SubmitStep.CAMERA_FAILED
    assert len(desk.state.filed[0].pages) == 1
    desk.flow.print_slip()
    desk.wait_printed()
    assert desk.state.print_state is PrintState.PRINTED
    slip = desk.printer.last_bin_path.read_bytes()  # type: ignore[union-attr]
    assert "居民身份证".encode("gb18030") in slip
    assert not desk.flow.retry_camera()  # still unplugged
    desk.camera.clear()
    desk.camera.open()
    assert desk.flow.retry_camera()
    assert desk.state.step is SubmitStep.CAPTURE and desk.state.material_index == 0
    assert len(desk.state.filed[0].pages) == 1
    assert desk.count(LocalCase) == 0


def test_the_camera_reported_offline_stops_capture_at_once(desk: Desk, monkeypatch) -> None:
    """Given the preview, when the device manager reports the camera offline, then the flow
    moves to CAMERA_FAILED without waiting for the silence."""
    desk.identify()
    monkeypatch.setattr(desk.manager, "is_usable", lambda kind: kind != "camera")
    desk.bus.publish(DeviceHealthChanged("camera", Health(HealthState.OFFLINE, "unplugged")))
    assert desk.state.step is SubmitStep.CAMERA_FAILED


# ---- the session ends ------------------------------------------------------------------------
def test_a_session_timeout_mid_capture_wipes_every_page(desk: Desk) -> None:
    """Given two pages captured, when the session ends (idle timeout), then the state is the
    initial one, no image is on disk and nothing is committed."""
    desk.identify()
    desk.take_page()
    assert desk.state.filed[0].pages
    desk.sessions.end("idle")
    assert desk.state == SubmitState()
    cases = desk.data / "cases"
    assert not cases.exists() or list(cases.iterdir()) == []
    assert desk.count(LocalCase) == 0 and desk.outbox() == []


def test_a_failed_commit_leaves_neither_files_nor_rows(desk: Desk, monkeypatch) -> None:
    """Given the review step, when the transaction fails (the outbox insert raises), then the
    image folder is removed, no row is left, and the citizen is told (fault notice)."""
    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(desk.store.outbox, "add", broken)
    submit_plain(desk)
    assert desk.state.step is SubmitStep.REVIEW and not desk.state.submitting
    assert desk.state.notice is not None and desk.state.notice.kind is NoticeKind.FAULT
    assert list((desk.data / "cases").iterdir()) == []
    assert desk.count(LocalCase) == 0 and desk.count(LocalCaseMaterial) == 0


def test_an_orphan_folder_from_a_crash_is_swept(desk: Desk) -> None:
    """Given a folder no committed case names (a crash after the files, before the commit),
    when the store sweeps at start, then it is removed and a committed case's folder stays."""
    submit_plain(desk)
    committed = desk.state.committed
    assert committed is not None
    orphan = desk.data.resolve() / "cases" / "0d9c0b5e-6f8e-4a57-9e8a-1b2c3d4e5f60"
    orphan.mkdir()
    (orphan / "m1-p1.jpg").write_bytes(b"x")
    assert desk.store.sweep_orphans() == 1
    assert not orphan.exists() and Path(committed.files_dir).is_dir()


# ---- dates -----------------------------------------------------------------------------------
def test_promised_and_owed_dates_skip_weekends_and_configured_holidays(make_desk, clock,
                                                                         tmp_path) -> None:
    """Given Friday 9 January 2026 with Monday 12 and Tuesday 13 January configured as holidays,
    when a case owing the photo is filed, then 5 working days end on Tuesday 20 January for both
    the promise and the owed deadline."""
    config = _config(tmp_path, '[calendar]\nholidays = [2026-01-12, 2026-01-13]\n')
    desk = make_desk(config)
    clock.set(datetime(2026, 1, 9, 16, 0, tzinfo=MONDAY_10.tzinfo))
    submit_plain(desk, leave_out_photo=True)
    [message] = desk.outbox()
    assert message.payload["promised_date"] == "2026-01-20"
    assert message.payload["materials"][1]["due_date"] == "2026-01-20"


# ---- detection off the UI thread ----------------------------------------------------------
def test_the_preview_never_waits_for_detection_and_busy_frames_are_dropped(desk: Desk) -> None:
    """Given a detector still looking at a frame (blocked), when the preview ticks on, then
    every tick still returns the newest frame at once, the frames offered meanwhile are
    dropped (not queued), and once the detector answers the next frame is looked at."""
    import threading

    from kiosk.flows.base import Worker

    gate, started = threading.Event(), threading.Event()

    def slow_assess(frame: np.ndarray) -> Any:
        started.set()
        assert gate.wait(5), "the test never released the detector"
        return SimpleNamespace(verdict="dark", message="msg:dark", corners=None)

    detector = ScriptedDetector()
    worker = Worker(call_now, threads=1)
    capture = PageCapture(DocumentTools(slow_assess, detector.straighten, detector.steady),
                          worker, 85)
    desk.flow.capture = capture
    try:
        desk.identify()
        assert desk.flow.capture_tick(1.0) is not None
        assert started.wait(5)
        for n in range(5):
            frame = desk.flow.capture_tick(1.1 + n / 10)
            assert frame is not None and frame.shape == (720, 1280, 3)
        assert capture.dropped == 5 and capture.looked == 0
        gate.set()
        done = threading.Event()
        for _ in range(500):  # up to 5 s
            if not capture.busy:
                break
            done.wait(0.01)
        assert capture.looked == 1
        assert desk.state.guidance is not None and desk.state.guidance.verdict == "dark"
        assert desk.flow.capture_tick(2.0) is not None
        assert capture.dropped == 5  # the free detector took this one
    finally:
        gate.set()
        worker.stop(wait=True)


# ---- PostgreSQL (a hall's shared database) ----------------------------------------------------
def test_a_submission_commits_on_postgresql_and_kiosks_see_each_others_open_cases(
        pg_url: str, catalogue: Catalogue, clock: ManualClock, tmp_path: Path) -> None:
    """Given two kiosks sharing one PostgreSQL, when K01 commits a case, then its rows and
    outbox message are there with K01's reference, and K02 (its own image folder) finds the
    same person's case open and asks before filing again."""
    from kiosk.storage import make_engine, migrate

    engine = make_engine(pg_url)
    migrate(engine)
    first = build_desk(engine, catalogue, clock, _config(tmp_path), tmp_path / "k1",
                       tmp_path / "p1")
    k2 = tmp_path / "k2"
    k2.mkdir()
    site = k2 / "site.toml"
    site.write_text(f'[kiosk]\nid = "K02"\ndata_dir = "{k2 / "var"}"\n', encoding="utf-8")
    second = build_desk(engine, catalogue, clock, load_config(site), k2 / "var", k2 / "p")
    try:
        submit_plain(first)
        committed = first.state.committed
        assert committed is not None and committed.local_ref == "K01-20260105-001"
        assert (first.count(LocalCase), first.count(LocalCaseMaterial)) == (1, 2)
        [message] = first.outbox()
        assert message.payload["case_id"] == committed.case_id
        second.identify()
        assert second.state.step is SubmitStep.REPEAT
        assert second.state.open_case is not None
        assert second.state.open_case.local_ref == "K01-20260105-001"
    finally:
        first.close()
        second.close()
        engine.dispose()
