"""Ratings (好差评) in the real app under Xvfb, driven by touches and the simulated scanner: a
good rating in three taps from home, a change of mind in the same session, a repeat refused, a
bad rating with contact sent by the sender's own request to the REAL hall server on loopback,
where it opens a follow-up; and a rating offered at the end of a progress lookup. Screenshots
in zh, en and elder mode under tests/artifacts/rating/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.storage.models import OutboxMessage, RatingRecord
from tests.progress_hall import RunningHall, add_case, open_hall
from tests.ui.conftest import ARTIFACTS, Kiosk
from tests.ui.test_progress import popup_text, shot

pytestmark = pytest.mark.ui

OUT = ARTIFACTS / "rating"
ITEM = "unemployment-registration"


@pytest.fixture
def fresh(kiosk: Kiosk) -> Iterator[Kiosk]:
    from screens.queue_common import close_notices

    try:
        yield kiosk
    finally:
        close_notices()
        kiosk.app.go_home()
        kiosk.ctx.sessions.end("test_reset")
        kiosk.pump()


def ticket_qr(kiosk: Kiosk) -> tuple[str, str]:
    """A real ticket of today and the QR printed on it (the queue page's signed token)."""
    ticket = kiosk.ctx.queue.issue_ticket(ITEM)
    return ticket.uuid, ticket.queue_url


def rows(kiosk: Kiosk, target_id: str) -> list[RatingRecord]:
    with kiosk.ctx.engine.connect() as conn:
        found = conn.execute(select(RatingRecord.__table__).where(
            RatingRecord.target_id == target_id)).mappings().all()
    return [RatingRecord(**r) for r in found]


def messages(kiosk: Kiosk, rating_id: str) -> list[dict]:
    with kiosk.ctx.engine.connect() as conn:
        return list(conn.execute(select(OutboxMessage.payload).where(
            OutboxMessage.idempotency_key == f"QZ01:rating:{rating_id}")).scalars())


def to_faces(kiosk: Kiosk, qr: str) -> None:
    kiosk.sim("scanner").scan(qr)
    kiosk.wait_until(lambda: kiosk.app.current == "rating_faces"
                     and not kiosk.ctx.flows.rating.state.checking, what="the faces")
    kiosk.pump(3)


def settle(kiosk: Kiosk, ident: str, frames: int = 4) -> None:
    """Wait until ``ident`` stops moving: after a switch of mode or language the labels
    re-measure and the home grid grows over several frames, and a finger aimed at the old place
    lands on another tile. A citizen sees the new layout before touching it; so does the test."""
    seen: list[tuple[float, ...]] = []

    def still() -> bool:
        widget = kiosk.get(ident)
        seen.append((*widget.to_window(*widget.pos), *widget.size))
        return len(seen) >= frames and len(set(seen[-frames:])) == 1

    kiosk.wait_until(still, what=f"{ident} to stop moving")


def test_a_good_rating_is_three_taps_from_home_and_committed_before_the_thanks(
        fresh: Kiosk) -> None:
    """Given a ticket taken today, when the citizen taps 好差评, scans the ticket, taps
    非常满意 and 提交, then that is three taps, the rating is in the database the moment the
    thanks show, and it goes to the outbox only when 完成 ends the session."""
    kiosk = fresh
    ticket_id, qr = ticket_qr(kiosk)
    taps = 0

    def tap(ident: str) -> None:
        nonlocal taps
        taps += 1
        kiosk.tap(ident)

    at_thanks: list[int] = []
    kiosk.app.sm.bind(current=lambda _sm, name: at_thanks.append(len(rows(kiosk, ticket_id)))
                      if name == "rating_thanks" else None)
    tap("tile_rating")
    assert kiosk.app.current == "rating"
    shot(kiosk, "zh_1_scan", OUT)
    to_faces(kiosk, qr)
    shot(kiosk, "zh_2_faces", OUT)
    tap("rating_face_5")
    assert kiosk.get("rating_face_5").selected
    shot(kiosk, "zh_3_faces_chosen", OUT)
    tap("rating_submit")
    kiosk.wait_until(lambda: kiosk.app.current == "rating_thanks", what="the thanks")
    assert taps == 3 and at_thanks == [1]
    assert kiosk.get("rating_thanks_heading").text == "谢谢您的评价"
    shot(kiosk, "zh_4_thanks", OUT)
    [row] = rows(kiosk, ticket_id)
    assert row.level == 5 and messages(kiosk, row.rating_id) == []
    kiosk.tap("rating_done")
    assert kiosk.app.current == "home"
    kiosk.wait_until(lambda: messages(kiosk, row.rating_id), what="the outbox row")
    [payload] = messages(kiosk, row.rating_id)
    assert payload["level"] == 5 and payload["target_kind"] == "ticket"


def test_a_bad_rating_with_contact_reaches_the_real_hall_and_a_repeat_is_refused(
        fresh: Kiosk, tmp_path: Path) -> None:
    """Given a ticket, when the citizen gives 满意, changes it (修改评价) to 非常不满意 with a
    reason and taps 提交并请联系我, then one rating (level 1, contact wanted) is held, sent
    when the session ends, and the sender's request for it is accepted by the real hall
    server, which opens a follow-up; scanning the ticket again in a new session says it was
    rated."""
    from kiosk.config import load_config
    from kiosk.hall.models import Rating
    from kiosk.hall.services.ratings import list_bad_ratings
    from kiosk.sync.client import HallClient, Verdict
    from kiosk.sync.routes import build_request
    from kiosk.sync.settings import sync_settings

    kiosk = fresh
    ticket_id, qr = ticket_qr(kiosk)
    kiosk.tap("tile_rating")
    to_faces(kiosk, qr)
    kiosk.tap("rating_face_4")
    kiosk.tap("rating_submit")
    kiosk.wait_until(lambda: kiosk.app.current == "rating_thanks", what="the thanks")
    kiosk.pump(3)
    kiosk.tap("rating_change")
    kiosk.wait_until(lambda: kiosk.app.current == "rating_faces", what="the faces again",
                     timeout=3)
    assert kiosk.get("rating_face_4").selected
    kiosk.tap("rating_face_1")
    assert kiosk.get("rating_submit_contact").opacity == 1
    kiosk.tap("rating_reason_1")  # 等候或办理时间太长
    assert kiosk.get("rating_reason_1").selected
    shot(kiosk, "zh_5_faces_bad", OUT)
    kiosk.app.set_elder(True)
    kiosk.pump(3)
    shot(kiosk, "elder_5_faces_bad", OUT)
    kiosk.app.toggle_language()
    kiosk.pump(3)
    shot(kiosk, "en_elder_5_faces_bad", OUT)
    kiosk.app.toggle_language()
    kiosk.app.set_elder(False)
    kiosk.pump(3)
    kiosk.tap("rating_submit_contact")
    kiosk.wait_until(lambda: kiosk.app.current == "rating_thanks", what="the thanks")
    assert "已修改" in kiosk.get("rating_thanks_heading").text
    assert "联系" in kiosk.get("rating_thanks_detail").text
    shot(kiosk, "zh_6_thanks_bad", OUT)
    [row] = rows(kiosk, ticket_id)
    assert (row.level, row.contact_wanted, row.reasons) == (1, True, ["等候或办理时间太长"])
    kiosk.tap("rating_done")
    kiosk.wait_until(lambda: messages(kiosk, row.rating_id), what="the outbox row")

    hall: RunningHall = open_hall(tmp_path, secret=kiosk.ctx.queue.secret)
    try:
        site = tmp_path / "sync.toml"
        site.write_text(f'[kiosk]\nid = "K01"\ndata_dir = "{tmp_path / "var"}"\n\n'
                        f'[sync]\nurl = "{hall.url}"\ntoken = "{hall.token}"\n',
                        encoding="utf-8")
        # This app's outbox also holds the other UI tests' records: this rating alone is sent,
        # with the sender's own request builder and client (the whole sender, draining an
        # outbox, is tests/core/test_flow_rating.py's last test).
        with kiosk.ctx.engine.connect() as conn:
            message = conn.execute(select(
                OutboxMessage.kind, OutboxMessage.payload, OutboxMessage.created_at,
                OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key == f"QZ01:rating:{row.rating_id}")).one()
        client = HallClient(sync_settings(load_config(site)))
        try:
            answer = client.send(build_request(message.kind, message.payload,
                                               message.created_at.isoformat(),
                                               message.idempotency_key))
        finally:
            client.close()
        assert answer.verdict is Verdict.DELIVERED, answer.error
        with hall.hall.app.state.sessions() as s:
            stored = s.get(Rating, row.rating_id)
            follow_ups = [f for f in list_bad_ratings(s) if f.rating_id == row.rating_id]
        assert stored is not None and stored.level == 1 and stored.contact_wanted
        assert stored.dimensions == {"overall": 1, "efficiency": 1}
        assert len(follow_ups) == 1 and follow_ups[0].contact_due is not None
    finally:
        hall.close()

    kiosk.tap("tile_rating")
    kiosk.sim("scanner").scan(qr)
    kiosk.wait_until(lambda: kiosk.ctx.flows.rating.state.notice is not None,
                     what="the notice")
    kiosk.pump(3)
    assert kiosk.app.current == "rating" and "已经评价过" in popup_text(kiosk)
    shot(kiosk, "zh_7_already_rated", OUT)


@pytest.mark.parametrize("mode", ["en", "elder"])
def test_the_rating_screens_in_english_and_elder_mode(fresh: Kiosk, mode: str) -> None:
    """Given the journey in English or in elder mode, when walked to the thanks, then every
    screen fits (nothing clipped, targets large) and speaks only that language."""
    kiosk = fresh
    if mode == "en":
        kiosk.app.toggle_language()
    else:
        kiosk.app.set_elder(True)
    _ticket_id, qr = ticket_qr(kiosk)
    settle(kiosk, "tile_rating")
    kiosk.tap("tile_rating")
    assert kiosk.app.current == "rating"
    shot(kiosk, f"{mode}_1_scan", OUT)
    to_faces(kiosk, qr)
    kiosk.tap("rating_face_3")
    kiosk.tap("rating_reason_0")
    shot(kiosk, f"{mode}_3_faces_chosen", OUT)
    if mode == "en":
        assert kiosk.get("rating_face_3").label == "Fair"
    kiosk.tap("rating_submit")
    kiosk.wait_until(lambda: kiosk.app.current == "rating_thanks", what="the thanks")
    shot(kiosk, f"{mode}_4_thanks", OUT)
    kiosk.tap("rating_done")


def test_a_rating_is_offered_at_the_end_of_a_progress_lookup(fresh: Kiosk,
                                                             tmp_path: Path) -> None:
    """Given a case shown by 办件查询, when the citizen taps 评价本次服务, then the faces
    rate that case, and 满意 + 提交 stores a rating of the case."""
    from kiosk.privacy import id_hash
    from kiosk.progress.reader import HallReader
    from tests.ui.test_progress import receipt

    kiosk = fresh
    hall = open_hall(tmp_path, secret=kiosk.ctx.queue.secret)
    flow = kiosk.ctx.flows.progress
    flow.connect(HallReader(hall.url, hall.token, 2.0))
    try:
        ref = add_case(hall, id_hash("11010519491231002X", kiosk.ctx.queue.secret))
        kiosk.tap("tile_progress")
        kiosk.sim("scanner").scan(receipt(kiosk, ref.token))
        kiosk.wait_until(lambda: kiosk.app.current == "progress_case", what="the case")
        kiosk.pump(3)
        kiosk.tap("progress_case_rate")
        kiosk.wait_until(lambda: kiosk.app.current == "rating_faces"
                         and not kiosk.ctx.flows.rating.state.checking, what="the faces")
        assert kiosk.get("rating_faces_target").text == "评价对象：办件"
        kiosk.tap("rating_face_4")
        kiosk.tap("rating_submit")
        kiosk.wait_until(lambda: kiosk.app.current == "rating_thanks", what="the thanks")
        [row] = rows(kiosk, ref.case_id)
        assert (row.target_kind, row.level) == ("case", 4)
    finally:
        flow.connect(None)
        hall.close()
