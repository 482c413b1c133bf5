"""A self-service submission against the REAL hall server on loopback, sharing one database with
the kiosk as a hall does: the case is committed and its receipt shown while the server is down,
then, once the server is up, the sender delivers it exactly once with its page images, and the
receipt's QR token opens the case on the server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from kiosk.catalogue import load_catalogue
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.flows.submission_state import SubmitStep
from kiosk.storage import make_engine, migrate
from kiosk.storage.models import OutboxMessage
from tests.core.test_flow_submission import build_desk, submit_plain
from tests.sync.conftest import MONDAY_10, SECRET, write_site
from tests.sync.fake_hall import ServerThread, _free_port

pytestmark = pytest.mark.slow  # real processes and servers: seconds per test


def kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_submitted_with_the_server_down_then_delivered_once_with_its_images(tmp_path: Path
                                                                             ) -> None:
    """Given the hall server down, when a citizen submits the social security card item (ID
    card two pages, photo one), then the receipt is shown at once and a sender run fails with
    the case pending; when the server comes up, the sender delivers it, the hall counts one
    case with 3 stored pages, its files are gone from the kiosk, a second sender run adds
    nothing, and GET /cases/by-token/<receipt token> answers with the kiosk's case id."""
    from kiosk.hall.app import create_app
    from kiosk.hall.models import CasePage
    from kiosk.hall.settings import HallSettings

    db_url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    engine = make_engine(db_url)
    migrate(engine)
    added = kiosk("hall", "kiosk", "add", "K01", "--db", db_url)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    site = write_site(tmp_path / "site.toml", db_url, url, token)
    config = load_config(site)
    desk = build_desk(engine, load_catalogue(), ManualClock(MONDAY_10), config,
                      tmp_path / "var", tmp_path / "printouts")
    server: ServerThread | None = None
    try:
        submit_plain(desk)
        assert desk.state.step is SubmitStep.RECEIPT  # confirmed without the network
        committed = desk.state.committed
        assert committed is not None
        files = sorted(Path(committed.files_dir).iterdir())
        assert [f.name for f in files] == ["m1-p1.jpg", "m1-p2.jpg", "m2-p1.jpg"]

        down = kiosk("--config", str(site), "sync", "run", "--until-empty", "--timeout", "3")
        assert down.returncode != 0
        with engine.connect() as conn:
            pending = conn.execute(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.sent_at.is_(None))).scalar_one()
        assert pending == 1

        settings = HallSettings.load(db_url, files_dir=tmp_path / "hall-files", secret=SECRET)
        server = ServerThread(create_app(settings), port=port).start()
        for _ in range(2):  # the second run finds nothing left to send
            done = kiosk("--config", str(site), "sync", "run", "--until-empty", "--timeout",
                         "60")
            assert done.returncode == 0, done.stderr
        stats = kiosk("hall", "stats", "--db", db_url, "--json")
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["cases"] == 1
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(CasePage)).scalar_one() == 3
        assert not any(f.exists() for f in files)  # deleted after confirmed delivery

        receipt_token = committed.receipt.progress_url.rsplit("/", 1)[1]
        answer = httpx.get(f"{url}/api/v1/cases/by-token/{receipt_token}",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["case_id"] == committed.case_id
        assert body["item_ids"] == ["social-security-card"]
        assert body["masked_name"] == "张*"
    finally:
        desk.close()
        if server is not None:
            server.stop()
        engine.dispose()


def test_a_case_filed_at_another_kiosk_is_found_on_the_hall_server(tmp_path: Path) -> None:
    """Given kiosk K01 (its own database) filed a case that reached the hall server, when the
    same person starts the same item at kiosk K02 (another database, knows nothing), then K02
    asks the server and shows the repeat question with the server's case number; with the server
    down, K02 does not wait on it and goes on to the camera."""
    from kiosk.cases.remote import HallCases
    from kiosk.hall.app import create_app
    from kiosk.hall.settings import HallSettings
    from kiosk.sync.settings import sync_settings

    hall_url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    hall_engine = make_engine(hall_url)
    migrate(hall_engine)
    tokens = {}
    for kiosk_id in ("K01", "K02"):
        added = kiosk("hall", "kiosk", "add", kiosk_id, "--db", hall_url)
        assert added.returncode == 0, added.stderr
        tokens[kiosk_id] = added.stdout.strip().splitlines()[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    desks = []
    sites = {}
    for kiosk_id in ("K01", "K02"):
        own = tmp_path / kiosk_id
        own.mkdir()
        db = f"sqlite:///{own / 'kiosk.sqlite3'}"
        engine = make_engine(db)
        migrate(engine)
        sites[kiosk_id] = write_site(own / "site.toml", db, url, tokens[kiosk_id],
                                     kiosk_id=kiosk_id)
        config = load_config(sites[kiosk_id])
        desk = build_desk(engine, load_catalogue(), ManualClock(MONDAY_10), config,
                          own / "var", own / "printouts")
        desk.flow.hall_cases = HallCases(sync_settings(config))
        desks.append(desk)
    first, second = desks
    server: ServerThread | None = None
    try:
        second.identify()  # the server is down: nothing known, no wait, on to the camera
        assert second.state.step is SubmitStep.CAPTURE
        second.flow.finish()

        settings = HallSettings.load(hall_url, files_dir=tmp_path / "hall-files", secret=SECRET)
        server = ServerThread(create_app(settings), port=port).start()
        submit_plain(first)
        first.flow.finish()
        sent = kiosk("--config", str(sites["K01"]), "sync", "run", "--until-empty", "--timeout",
                     "60")
        assert sent.returncode == 0, sent.stderr

        second.identify()
        assert second.state.step is SubmitStep.REPEAT
        assert second.state.open_case is not None
        assert second.state.open_case.number.startswith("SB20260105-")
    finally:
        for desk in desks:
            desk.close()
            desk.engine.dispose()
        if server is not None:
            server.stop()
        hall_engine.dispose()
