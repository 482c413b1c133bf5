"""PostgreSQL restarted under the running hall server: requests fail cleanly with 503 during
the outage (no traceback, nothing half-stored) and work again afterwards (pool pre-ping)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from kiosk.hall.models import TicketEvent
from tests.hall.conftest import issued, start_hall
from tests.pg_server import PgServer, PgUnavailable, find_bin

pytestmark = pytest.mark.postgres


class RestartablePg(PgServer):
    """The test server, stopped and started again on the same port and data."""

    def pg_ctl(self, *args: str) -> None:
        assert self.dir is not None
        self._run(str(find_bin() / "pg_ctl"), "-D", str(self.dir / "data"), *args)

    def halt(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def resume(self) -> None:
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c max_connections=200 -c synchronous_commit=off -c full_page_writes=off")
        self.pg_ctl("-l", str(self.dir / "server2.log"), "-o", opts, "-w", "-t", "60", "start")


@pytest.fixture
def pg() -> Iterator[RestartablePg]:
    server = RestartablePg()
    if server._external:
        pytest.fail("this test restarts PostgreSQL: it needs the throwaway server, not "
                    "KIOSK_TEST_PG_URL", pytrace=False)
    try:
        server.start()
    except PgUnavailable as exc:
        pytest.fail(f"cannot start the throwaway PostgreSQL server: {exc}", pytrace=False)
    yield server
    server.stop()


def post_ticket(c):
    return c.post("/api/v1/tickets/events", json=issued(),
                  headers={"Idempotency-Key": str(uuid.uuid4())})


def test_requests_get_503_while_postgres_is_down_and_work_after(pg, tmp_path):
    hall, server = start_hall(pg.create_database(), tmp_path)
    try:
        with hall.client() as c:
            assert post_ticket(c).status_code == 201
            pg.halt()
            down = [post_ticket(c), c.get("/api/v1/cases/SB20261201-0001"),
                    c.post("/api/v1/heartbeat", json={
                        "kiosk_id": "K01", "version": "1", "outbox": {"pending": 0,
                                                                       "parked": 0}})]
            assert c.get("/healthz").status_code == 200  # the process itself is alive
            pg.resume()
            up = [post_ticket(c) for _ in range(3)]
        assert [r.status_code for r in down] == [503, 503, 503], [r.text for r in down]
        assert all(r.json()["detail"] == "the hall database is unavailable; retry later"
                   for r in down)
        assert [r.status_code for r in up] == [201, 201, 201], [r.text for r in up]
        assert hall.count(TicketEvent) == 4
    finally:
        server.stop()
        hall.app.state.engine.dispose()
