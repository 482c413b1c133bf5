"""Which request carries each outbox ``kind`` to the hall server (the lead's wire contract).

Every request is a POST under /api/v1; "event" means JSON {"kind","payload","created_at"}.

    ticket.issued|called|done|skipped  /tickets/events  event
    case.created                       /cases           multipart: ``case`` JSON, ``files`` pages
    case.* (other)                     /cases/events    event
    rating.created                     /ratings         the payload itself
    locker.*                           /locker/events   event
    alert.raised|cleared               /alerts          event

A kind not in this table has no route: the sender parks it. Also here: which *record* a message
belongs to (a ticket, a case, a compartment), because messages of one record must reach the
server in the order they were written. Bodies are byte-for-byte the same on every attempt (the
server answers a repeated key with a different body hash by 409), so JSON is serialised here
and the multipart boundary is derived from the idempotency key. Never reads the network.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

TICKET_KINDS = frozenset({"ticket.issued", "ticket.called", "ticket.done", "ticket.skipped"})
ALERT_KINDS = frozenset({"alert.raised", "alert.cleared"})
CASE_CREATED = "case.created"
CHUNK = 256 * 1024
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class UnsendableMessage(Exception):
    """The message cannot be turned into a request on this kiosk (no route, image missing).
    Retrying would not help: the sender parks it. The text never holds personal data."""


@dataclass(frozen=True)
class Route:
    path: str
    body: str  # "event": {"kind","payload","created_at"}; "payload": the payload; "case": multipart


def route_for(kind: str) -> Route | None:
    if kind in TICKET_KINDS:
        return Route("/tickets/events", "event")
    if kind == CASE_CREATED:
        return Route("/cases", "case")
    if kind.startswith("case."):
        return Route("/cases/events", "event")
    if kind == "rating.created":
        return Route("/ratings", "payload")
    if kind.startswith("locker.") and kind != "locker.":
        return Route("/locker/events", "event")
    if kind in ALERT_KINDS:
        return Route("/alerts", "event")
    return None


def record_key(kind: str, payload: dict[str, Any], idempotency_key: str) -> str:
    """The record a message is about: messages with the same key are sent oldest first, one at a
    time. A message whose record cannot be told stands alone (its own idempotency key)."""
    family = kind.partition(".")[0]
    rid: object = None
    if family == "ticket":
        rid = payload.get("uuid") or payload.get("ticket")
    elif family == "case":
        rid = payload.get("case_id")
    elif family == "rating":
        rid = payload.get("rating_id")
    elif family == "locker" and payload.get("compartment") is not None:
        rid = f"{payload.get('kiosk')}:{payload.get('compartment')}"
    elif family == "alert":
        rid = f"{payload.get('kiosk')}:{payload.get('kind')}"
    if rid is None or rid == "":
        return f"key:{idempotency_key}"
    return f"{family}:{rid}"


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class OutgoingRequest:
    """One POST, ready for httpx. ``content`` streams the images; ``close`` closes their files."""

    path: str
    headers: dict[str, str]
    content: bytes | Iterator[bytes]
    files: list[IO[bytes]] = field(default_factory=list)

    def close(self) -> None:
        for fh in self.files:
            fh.close()


def build_request(kind: str, payload: dict[str, Any], created_at: str,
                  idempotency_key: str) -> OutgoingRequest:
    """The request for one outbox message; raises ``UnsendableMessage`` when there is none."""
    route = route_for(kind)
    if route is None:
        raise UnsendableMessage(f"no route for outbox kind {kind!r}")
    headers = {"Idempotency-Key": idempotency_key}
    if route.body == "case":
        return _case_request(route.path, payload, headers, idempotency_key)
    body: object = payload
    if route.body == "event":
        body = {"kind": kind, "payload": payload, "created_at": created_at}
    headers["Content-Type"] = "application/json"
    return OutgoingRequest(route.path, headers, _dumps(body))


def page_paths(payload: dict[str, Any]) -> list[Path]:
    """The local files of a ``case.created`` payload's pages, in payload order."""
    paths: list[Path] = []
    for material in payload.get("materials") or []:
        for page in material.get("pages") or []:
            if page.get("path"):
                paths.append(Path(page["path"]))
    return paths


def _case_request(path: str, payload: dict[str, Any], headers: dict[str, str],
                  idempotency_key: str) -> OutgoingRequest:
    case = copy.deepcopy(payload)
    pages: list[tuple[str, Path]] = []
    for material in case.get("materials") or []:
        for page in material.get("pages") or []:
            local = page.pop("path", None)  # the kiosk's own path is never sent
            if not local:
                raise UnsendableMessage("a material page has no local file path")
            pages.append((str(page.get("file") or Path(local).name), Path(local)))
    boundary = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32].encode()
    parts: list[tuple[bytes, IO[bytes] | bytes, int]] = []
    case_head = _part_head(boundary, b'name="case"', "application/json")
    case_json = _dumps(case)
    parts.append((case_head, case_json, len(case_json)))
    files: list[IO[bytes]] = []
    try:
        for filename, local in pages:
            kind = IMAGE_TYPES.get(Path(filename).suffix.lower())
            if kind is None:
                raise UnsendableMessage(f"material page {filename!r} is not a .jpg or .png file")
            try:
                fh = local.open("rb")
                size = os.fstat(fh.fileno()).st_size
            except OSError as exc:
                raise UnsendableMessage(f"material page {filename!r} cannot be read on this "
                                        f"kiosk ({exc.strerror})") from None
            files.append(fh)
            disposition = b'name="files"; filename="' + _quote(filename) + b'"'
            parts.append((_part_head(boundary, disposition, kind), fh, size))
    except BaseException:
        for fh in files:
            fh.close()
        raise
    tail = b"--" + boundary + b"--\r\n"
    length = sum(len(head) + size + 2 for head, _body, size in parts) + len(tail)
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary.decode()}"
    headers["Content-Length"] = str(length)
    return OutgoingRequest(path, headers, _stream(parts, tail), files)


def _part_head(boundary: bytes, disposition: bytes, content_type: str) -> bytes:
    return (b"--" + boundary + b"\r\nContent-Disposition: form-data; " + disposition
            + b"\r\nContent-Type: " + content_type.encode() + b"\r\n\r\n")


def _quote(filename: str) -> bytes:
    # as browsers and httpx do: the name stays readable, quotes and line breaks cannot escape it
    return (filename.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D")
            .replace("\n", "%0A").encode("utf-8"))


def _stream(parts: list[tuple[bytes, IO[bytes] | bytes, int]], tail: bytes) -> Iterator[bytes]:
    for head, body, _size in parts:
        yield head
        if isinstance(body, bytes):
            yield body
        else:
            while chunk := body.read(CHUNK):
                yield chunk
        yield b"\r\n"
    yield tail
