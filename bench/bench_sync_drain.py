"""A kiosk back from an outage drains 1,000 outbox records, versus a bare httpx loop.

Starts the real hall server (`kiosk hall serve`, its own process, SQLite file) and registers a
kiosk. The records: 450 ticket.issued (payloads of tickets issued through QueueService), 450
rating.created and 100 case.created with one ~200 KB PNG page each. Three timed runs against the
same server, each with fresh idempotency keys so the server really stores every record:
  bare A  — one keep-alive httpx.Client posting the same payloads in a plain loop (json= and
            files=, no database, no retry logic, no image deletion);
  sender  — SyncWorker.drain on a kiosk SQLite outbox holding the 1,000 rows (claims, parallel
            posts, settle transactions, images deleted after confirmation);
  bare B  — the bare loop again (bracketing the sender against server-side drift).
Baseline = mean(bare A, bare B). Target: sender ≤ 1.5 × baseline; exit 1 when missed or when
anything was lost or doubled (the server's `kiosk hall stats` must count every record once).
Usage: .venv/bin/python bench/bench_sync_drain.py [--records 1000]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from kiosk.catalogue import load_catalogue  # noqa: E402
from kiosk.clock import ManualClock, SystemClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.queue import QueueService  # noqa: E402
from kiosk.storage import make_engine, migrate  # noqa: E402
from kiosk.sync.routes import route_for  # noqa: E402
from kiosk.sync.worker import SyncWorker  # noqa: E402
from tests.sync.conftest import MONDAY_10, SECRET, write_site  # noqa: E402
from tests.sync.records import HALL, add_message, png_bytes  # noqa: E402

TARGET = 1.5
IMAGE_BYTES = 200 * 1024


def kiosk_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(work: Path) -> tuple[subprocess.Popen[bytes], str, str, str]:
    db = f"sqlite:///{work / 'hall.sqlite3'}"
    added = subprocess.run(kiosk_cmd("hall", "kiosk", "add", "K01", "--db", db),
                           capture_output=True, text=True, check=True)
    token = added.stdout.strip().splitlines()[-1]
    port = free_port()
    with (work / "serve.log").open("wb") as log:  # the child keeps its own copy of the fd
        server = subprocess.Popen(kiosk_cmd("hall", "serve", "--db", db, "--port", str(port),
                                            "--files", str(work / "files")),
                                  stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return server, url, token, db
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.1)
    server.kill()
    raise SystemExit(f"bench: the hall server did not start (see {work / 'serve.log'})")


def make_records(work: Path, n: int) -> list[tuple[str, dict[str, Any]]]:
    """(kind, payload) for n records; case payloads' pages point to files made per run."""
    engine = make_engine(f"sqlite:///{work / 'issue.sqlite3'}")
    migrate(engine)
    queue = QueueService(engine, load_catalogue(), load_config(None), ManualClock(MONDAY_10),
                         "K01", secret=SECRET)
    template = queue.issued_payload(queue.issue_ticket("unemployment-registration"))
    engine.dispose()
    cases = n // 10
    records: list[tuple[str, dict[str, Any]]] = []
    for i in range(n - cases):
        if i % 2 == 0:
            payload = copy.deepcopy(template)
            payload["uuid"] = str(uuid.uuid4())
            payload["number"] = f"A{i % 999 + 1:03d}"
            records.append(("ticket.issued", payload))
        else:
            records.append(("rating.created", {
                "rating_id": str(uuid.uuid4()), "hall": HALL, "kiosk": "K01",
                "target_kind": "ticket", "target_id": str(uuid.uuid4()), "level": 4,
                "reasons": [], "dimensions": {"overall": 4}, "contact_wanted": False,
                "contact_phone_masked": None, "at": MONDAY_10.isoformat()}))
    image = png_bytes(IMAGE_BYTES, seed=7)
    digest = hashlib.sha256(image).hexdigest()
    for i in range(cases):
        case_id = str(uuid.uuid4())
        records.insert(i * 10 + 5, ("case.created", {
            "case_id": case_id, "hall": HALL, "kiosk": "K01",
            "item_ids": ["unemployment-registration"], "bundle_id": None,
            "person_hash": hashlib.sha256(case_id.encode()).hexdigest(), "masked_name": "张*",
            "delivery": "window", "submitted_at": MONDAY_10.isoformat(),
            "promised_date": "2026-01-12", "repeat_of": None,
            "materials": [{"material_id": "id-card", "name": "身份证", "status": "received",
                           "due_date": None,
                           "pages": [{"file": "p1.png", "sha256": digest, "path": ""}]}]}))
    (work / "image.png").write_bytes(image)
    return records


def fresh(records: list[tuple[str, dict[str, Any]]], folder: Path, image: bytes
          ) -> list[tuple[str, dict[str, Any]]]:
    """New ids (the server stores every record again) and page files of their own."""
    folder.mkdir(parents=True)
    out = []
    for kind, payload in records:
        p = copy.deepcopy(payload)
        for id_key in ("uuid", "rating_id", "case_id"):
            if id_key in p:
                p[id_key] = str(uuid.uuid4())
        if kind == "case.created":
            path = folder / f"{p['case_id']}.png"
            path.write_bytes(image)
            p["materials"][0]["pages"][0]["path"] = str(path)
        out.append((kind, p))
    return out


def key_of(kind: str, payload: dict[str, Any]) -> str:
    rid = payload.get("uuid") or payload.get("rating_id") or payload.get("case_id")
    return f"{HALL}:{kind}:{rid}"


def bare_loop(url: str, token: str, records: list[tuple[str, dict[str, Any]]]) -> float:
    created = MONDAY_10.isoformat()
    with httpx.Client(base_url=url + "/api/v1", timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        start = time.perf_counter()
        for kind, payload in records:
            route = route_for(kind)
            assert route is not None
            headers = {"Idempotency-Key": key_of(kind, payload)}
            if route.body == "case":
                case = copy.deepcopy(payload)
                path = Path(case["materials"][0]["pages"][0].pop("path"))
                with path.open("rb") as fh:
                    response = client.post(route.path, headers=headers,
                                           data={"case": json.dumps(case, ensure_ascii=False)},
                                           files=[("files", ("p1.png", fh, "image/png"))])
            elif route.body == "event":
                response = client.post(route.path, headers=headers, json={
                    "kind": kind, "payload": payload, "created_at": created})
            else:
                response = client.post(route.path, headers=headers, json=payload)
            if response.status_code != 201:
                raise SystemExit(f"bench: bare loop got {response.status_code} for {kind}: "
                                 f"{response.text[:200]}")
        return time.perf_counter() - start


def sender_run(work: Path, url: str, token: str,
               records: list[tuple[str, dict[str, Any]]]) -> tuple[float, int, int]:
    db = f"sqlite:///{work / 'kiosk.sqlite3'}"
    engine = make_engine(db)
    migrate(engine)
    for kind, payload in records:
        add_message(engine, key_of(kind, payload), kind, payload, MONDAY_10)
    site = write_site(work / "site.toml", db, url, token, interval_seconds=0.2,
                      request_timeout_seconds=30.0, max_backoff_seconds=5.0)
    worker = SyncWorker(engine, load_config(site), SystemClock())
    start = time.perf_counter()
    drained = worker.drain(600)
    elapsed = time.perf_counter() - start
    status = worker.status()
    worker.stop()
    left_images = sum(1 for _ in (work / "sender-pages").iterdir())
    engine.dispose()
    if not drained or status.parked:
        raise SystemExit(f"bench: the sender did not drain: pending {status.pending}, parked "
                         f"{status.parked}, last error {status.last_error}")
    return elapsed, status.pending, left_images


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        server, url, token, hall_db = start_server(work)
        try:
            base = make_records(work, args.records)
            image = (work / "image.png").read_bytes()
            bare_a = bare_loop(url, token, fresh(base, work / "bare-a", image))
            sender, _pending, left = sender_run(work, url, token,
                                                fresh(base, work / "sender-pages", image))
            bare_b = bare_loop(url, token, fresh(base, work / "bare-b", image))
        finally:
            server.terminate()
            server.wait(30)
        stats = json.loads(subprocess.run(kiosk_cmd("hall", "stats", "--db", hall_db, "--json"),
                                          capture_output=True, text=True, check=True).stdout)
    n = args.records
    cases = n // 10
    tickets = (n - cases + 1) // 2
    ratings = n - cases - tickets
    baseline = (bare_a + bare_b) / 2
    ratio = sender / baseline
    print(f"records={n} (tickets {tickets}, ratings {ratings}, cases {cases} with one "
          f"{IMAGE_BYTES // 1024} KB image each)")
    print(f"bare httpx loop A   {bare_a:7.2f} s  {n / bare_a:7.1f} records/s")
    print(f"kiosk sender drain  {sender:7.2f} s  {n / sender:7.1f} records/s")
    print(f"bare httpx loop B   {bare_b:7.2f} s  {n / bare_b:7.1f} records/s")
    print(f"sender / mean(bare) = {ratio:.2f} (target <= {TARGET})")
    want = {"tickets": 3 * tickets, "ratings": 3 * ratings, "cases": 3 * cases}  # three runs
    got = {k: stats.get(k) for k in want}
    ok = got == want
    if not ok:
        print(f"FAIL: the server counted {got}, expected {want}: lost or doubled records")
    if left:
        print(f"FAIL: {left} delivered case image(s) still on the kiosk")
        ok = False
    if ratio > TARGET:
        print(f"FAIL: the sender took {ratio:.2f}x the bare loop (target {TARGET}x)")
        ok = False
    print("OK" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    sys.exit(main())
