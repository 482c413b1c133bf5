"""Case creation with material images (multipart, streamed to disk), its limits, and the kiosk's
reads (by number, receipt token, person hash), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import socket
import uuid

import httpx

from kiosk.hall.models import Case, CaseEvent, CasePage, InboxEntry
from tests.hall.conftest import PERSON, case_parts, case_payload, image_bytes, sha


def key() -> str:
    return f"QZ01:case:{uuid.uuid4()}"


def post_case(c, payload, pages, k=None, ctype="image/jpeg"):
    return c.post("/api/v1/cases", headers={"Idempotency-Key": k or key()},
                  **case_parts(payload, pages, ctype))


def assert_nothing_stored(hall) -> None:
    assert hall.count(Case) == 0 and hall.count(CasePage) == 0 and hall.count(InboxEntry) == 0
    assert hall.files() == []  # no staged or placed file left behind


def test_case_with_two_pages_is_stored_with_files_timeline_and_number(hall):
    """Given a case with a JPEG and a PNG page, when posted, then 201 with a case number of the
    hall's day, both files are on disk with their hashes, and the timeline starts 'received'."""
    pages = {"p1.jpg": image_bytes("jpeg", 120, noise=True), "p2.png": image_bytes("png", 80)}
    payload = case_payload(pages)
    with hall.client() as c:
        r = c.post("/api/v1/cases", headers={"Idempotency-Key": key()}, data={
            "case": json.dumps(payload)}, files=[
            ("files", ("p1.jpg", pages["p1.jpg"], "image/jpeg")),
            ("files", ("p2.png", pages["p2.png"], "image/png"))])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["case_number"] == "SB20261201-0001" and body["case_id"] == payload["case_id"]
    assert len(body["receipt_token"]) >= 40
    stored = hall.files()
    assert sorted(sha(p.read_bytes()) for p in stored) == sorted(sha(b) for b in pages.values())
    assert all(payload["case_id"] in str(p) for p in stored)
    assert hall.count(CasePage) == 2 and hall.count(CaseEvent) == 1


def test_case_numbers_count_per_day_and_replay_keeps_the_number(hall):
    pages = {"p1.jpg": image_bytes()}
    first, second = case_payload(pages), case_payload(pages, person="cd" * 32)
    k = key()
    with hall.client() as c:
        a = post_case(c, first, pages, k)
        b = post_case(c, second, pages)
        again = post_case(c, first, pages, k)
    assert a.json()["case_number"] == "SB20261201-0001"
    assert b.json()["case_number"] == "SB20261201-0002"
    assert again.status_code == 201 and again.headers["idempotent-replay"] == "true"
    assert again.json() == a.json()
    assert hall.count(Case) == 2 and hall.count(CasePage) == 2
    assert len(hall.files()) == 2


def test_replay_with_a_different_image_is_409(hall):
    pages = {"p1.jpg": image_bytes()}
    payload, k = case_payload(pages), key()
    other = {"p1.jpg": image_bytes(size=65)}
    with hall.client() as c:
        assert post_case(c, payload, pages, k).status_code == 201
        r = post_case(c, case_payload(other, case_id=payload["case_id"]), other, k)
    assert r.status_code == 409
    assert hall.count(Case) == 1 and len(hall.files()) == 1


def test_oversized_file_is_413_and_nothing_is_left(hall):
    big = image_bytes("jpeg", 64) + b"\0" * (hall.settings.max_file_bytes + 1)
    pages = {"p1.jpg": big}
    with hall.client() as c:
        r = post_case(c, case_payload(pages), pages)
    assert r.status_code == 413 and "p1.jpg" in r.json()["detail"]
    assert_nothing_stored(hall)


def test_too_many_parts_is_413(hall):
    img = image_bytes()
    pages = {f"p{i}.jpg": img for i in range(hall.settings.max_parts + 1)}
    with hall.client() as c:
        r = post_case(c, case_payload(pages), pages)
    assert r.status_code == 413 and "more than 40 files" in r.json()["detail"]
    assert_nothing_stored(hall)


def test_non_images_are_415_or_422_and_nothing_is_left(hall):
    """A text file declared as JPEG (magic bytes wrong), a PDF content type, and a JPEG cut in
    half (magic right, Pillow refuses it) are all refused; nothing stays on disk."""
    text = {"p1.jpg": b"this is not an image at all, just text"}
    jpeg = image_bytes("jpeg", 200, noise=True)
    cut = {"p1.jpg": jpeg[: len(jpeg) // 3]}
    good = {"p1.jpg": image_bytes()}
    with hall.client() as c:
        r1 = post_case(c, case_payload(text), text)
        r2 = post_case(c, case_payload(good), good, ctype="application/pdf")
        r3 = post_case(c, case_payload(cut), cut)
        r4 = c.post("/api/v1/cases", headers={"Idempotency-Key": key()},
                    json=case_payload(good))
    assert r1.status_code == 415 and "not a JPEG" in r1.json()["detail"]
    assert r2.status_code == 415 and "application/pdf" in r2.json()["detail"]
    assert r3.status_code == 422 and "not a readable image" in r3.json()["detail"]
    assert r4.status_code == 415 and "multipart/form-data" in r4.json()["detail"]
    assert_nothing_stored(hall)


def test_page_mismatches_and_bad_case_json_are_422(hall):
    pages = {"p1.jpg": image_bytes()}
    wrong_hash = case_payload(pages)
    wrong_hash["materials"][0]["pages"][0]["sha256"] = "0" * 64
    missing = case_payload({"p1.jpg": pages["p1.jpg"], "p2.jpg": pages["p1.jpg"]})
    bad_delivery = {**case_payload(pages), "delivery": "drone"}
    with hall.client() as c:
        r1 = post_case(c, wrong_hash, pages)
        r2 = post_case(c, missing, pages)
        r3 = post_case(c, bad_delivery, pages)
        r4 = c.post("/api/v1/cases", headers={"Idempotency-Key": key()},
                    data={"case": "{oops"}, files=[("files", ("p1.jpg", pages["p1.jpg"],
                                                              "image/jpeg"))])
        r5 = post_case(c, case_payload({}), pages)  # a file no page names
    assert r1.status_code == 422 and "sha256" in r1.json()["detail"]
    assert r2.status_code == 422 and "p2.jpg" in r2.json()["detail"]
    assert r3.status_code == 422 and "delivery" in r3.json()["detail"]
    assert r4.status_code == 422 and r4.json()["detail"].startswith("case ")
    assert r5.status_code == 422 and "not named by any page" in r5.json()["detail"]
    assert_nothing_stored(hall)


def test_kiosk_reads_a_case_by_number_token_and_person_without_secrets(hall):
    pages = {"p1.jpg": image_bytes()}
    with hall.client() as c:
        created = post_case(c, case_payload(pages), pages).json()
        by_number = c.get(f"/api/v1/cases/{created['case_number']}")
        by_token = c.get(f"/api/v1/cases/by-token/{created['receipt_token']}")
        by_person = c.get("/api/v1/cases", params={"person_hash": PERSON})
        unknown = c.get("/api/v1/cases/SB20991231-0001")
        wrong_token = c.get("/api/v1/cases/by-token/guess")
        no_filter = c.get("/api/v1/cases")
    view = by_number.json()
    assert by_number.status_code == 200 and by_token.json() == view
    assert view["status"] == "received" and view["status_zh"] == "已受理"
    assert view["owed"] == [{"material_id": "household", "name": "户口簿",
                             "due_date": "2026-12-06"}]
    assert [t["status"] for t in view["timeline"]] == ["received"]
    assert "receipt_token" not in view and "person_hash" not in view
    assert [x["case_number"] for x in by_person.json()["cases"]] == [created["case_number"]]
    assert unknown.status_code == 404 and wrong_token.status_code == 404
    assert no_filter.status_code == 422  # a kiosk cannot list every case


def test_repeat_submission_of_the_same_item_is_flagged(hall):
    pages = {"p1.jpg": image_bytes()}
    with hall.client() as c:
        first = post_case(c, case_payload(pages), pages).json()
        second = post_case(c, case_payload(pages), pages).json()
    with hall.app.state.sessions() as s:
        from kiosk.hall.services.cases import get_case

        assert get_case(s, second["case_number"]).repeat_of == first["case_number"]
        assert get_case(s, first["case_number"]).repeat_of is None


def test_a_body_cut_short_or_announced_too_big_leaves_nothing(hall):
    """A multipart body that ends mid-file (the kiosk lost the network) is a 422; a body whose
    Content-Length is over every limit is a 413 before a byte is read; nothing stays on disk."""
    pages = {"p1.jpg": image_bytes("jpeg", 200, noise=True)}
    full = httpx.Request("POST", "http://x/", **case_parts(case_payload(pages), pages))
    body = full.read()

    def cut():
        yield body[: len(body) // 2]

    with hall.client() as c:
        r1 = c.post("/api/v1/cases", content=cut(), headers={
            "Idempotency-Key": key(), "Content-Type": full.headers["content-type"]})
    host, port = hall.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall((f"POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n"
                     f"Authorization: Bearer {hall.tokens['K01']}\r\n"
                     f"Idempotency-Key: {key()}\r\n"
                     f"Content-Type: {full.headers['content-type']}\r\n"
                     f"Content-Length: {10**12}\r\n\r\n").encode() + body[:1000])
        status_line = raw.makefile("rb").readline().decode()
    assert r1.status_code == 422 and "multipart" in r1.json()["detail"]
    assert status_line.split()[1] == "413"
    assert_nothing_stored(hall)
