"""Receiving a case's material photos: multipart streamed straight to disk, with limits.

Each ``files`` part is written as it arrives to a staging folder under ``<files>/.incoming``
(never to memory or /tmp), hashed on the way, refused at the first byte over the size limit
(413), at a part beyond the count limit (413), or at a type that is not JPEG or PNG by both its
declared content type and its magic bytes (415). After the stream, Pillow checks each file is a
whole image (422 otherwise). Any refusal removes the staging folder: nothing is left behind.
Accepted files are fsynced and moved into ``cases/<case_id>/<key hash>/`` inside the case's
transaction, and moved back out if it fails. Never logs file names beyond the page name.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

CASE_PART_MAX = 1024 * 1024
MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}
_FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")


class UploadRefused(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code, self.detail = status_code, detail


@dataclass
class UploadedFile:
    file: str
    content_type: str
    staged: Path
    sha256: str = ""
    size: int = 0


class CaseUpload:
    """One ``POST /cases`` body: the ``case`` JSON part and its ``files`` parts."""

    def __init__(self, files_dir: Path, *, max_file_bytes: int, max_parts: int) -> None:
        self.files_dir = files_dir
        self.max_file_bytes, self.max_parts = max_file_bytes, max_parts
        self.staging = files_dir / ".incoming" / uuid.uuid4().hex
        self.case_json = b""
        self.files: list[UploadedFile] = []
        self.placed: Path | None = None
        self._case_seen = False
        # the part being parsed
        self._headers: dict[str, str] = {}
        self._field = b""
        self._value = b""
        self._target: str | None = None  # "case" | "file"
        self._out: BinaryIO | None = None
        self._hash = hashlib.sha256()
        self._head = b""

    # ---- streaming ----
    async def receive(self, content_type: str, chunks: AsyncIterator[bytes]) -> None:
        ctype, params = parse_options_header(content_type)
        boundary = params.get(b"boundary")
        if ctype != b"multipart/form-data" or not boundary:
            raise UploadRefused(415, f"Content-Type {content_type[:60]!r}: expected "
                                     "multipart/form-data with a boundary")
        self.staging.mkdir(parents=True)
        parser = MultipartParser(boundary, {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end})
        try:
            async for chunk in chunks:
                parser.write(chunk)
            parser.finalize()
        except UploadRefused:
            self.discard()
            raise
        except Exception as exc:  # python-multipart's parse errors, a client gone mid-body
            self.discard()
            raise UploadRefused(422, f"malformed multipart body: {exc.__class__.__name__}") \
                from None
        except BaseException:  # cancelled: still leave nothing behind
            self.discard()
            raise
        if self._out is not None or not self._case_seen:
            self.discard()
            raise UploadRefused(422, "multipart body: expected a 'case' part (the case JSON) "
                                     "and complete 'files' parts")

    def _part_begin(self) -> None:
        self._headers, self._target, self._head = {}, None, b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value.decode("utf-8",
                                                                                  "replace")
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, disp = parse_options_header(self._headers.get("content-disposition", ""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        if name == "case":
            if self._case_seen:
                raise UploadRefused(422, "multipart body: more than one 'case' part")
            self._case_seen, self._target = True, "case"
            return
        if name != "files":
            raise UploadRefused(422, f"multipart part {name[:40]!r}: expected 'case' or 'files'")
        if len(self.files) >= self.max_parts:
            raise UploadRefused(413, f"more than {self.max_parts} files in one case")
        filename = disp.get(b"filename", b"").decode("utf-8", "replace")
        if not _FILE_NAME.match(filename):
            raise UploadRefused(422, f"files part filename {filename[:40]!r}: expected a page "
                                     "file name such as p1.jpg")
        ctype = parse_options_header(self._headers.get("content-type", ""))[0].decode()
        if ctype not in MAGIC:
            raise UploadRefused(415, f"{filename}: content type {ctype[:40]!r}, expected "
                                     "image/jpeg or image/png")
        staged = self.staging / f"{len(self.files):03d}.part"
        self.files.append(UploadedFile(filename, ctype, staged))
        self._out = staged.open("wb")
        self._hash = hashlib.sha256()
        self._target = "file"

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        if self._target == "case":
            self.case_json += piece
            if len(self.case_json) > CASE_PART_MAX:
                raise UploadRefused(413, f"the 'case' part is larger than {CASE_PART_MAX} bytes")
            return
        current, out = self.files[-1], self._out
        assert out is not None
        current.size += len(piece)
        if current.size > self.max_file_bytes:
            raise UploadRefused(413, f"{current.file}: larger than {self.max_file_bytes} bytes")
        if len(self._head) < 8:
            self._head += piece[:8]
        out.write(piece)
        self._hash.update(piece)

    def _part_end(self) -> None:
        if self._target != "file":
            return
        assert self._out is not None
        self._out.close()
        self._out = None
        current = self.files[-1]
        current.sha256 = self._hash.hexdigest()
        if not self._head.startswith(MAGIC[current.content_type]):
            raise UploadRefused(415, f"{current.file}: the bytes are not a "
                                     f"{current.content_type.split('/')[1].upper()} image")

    # ---- checks, placing, cleaning up ----
    def verify_images(self) -> None:
        """Pillow checks each file is a whole image: PNG by its chunk checksums (``verify``),
        JPEG by decoding at 1/8 scale (``draft``; ``verify`` does not notice a JPEG cut short),
        a few milliseconds per photo. Run off the event loop."""
        from PIL import Image, UnidentifiedImageError

        for f in self.files:
            try:
                with Image.open(f.staged) as im:
                    fmt = im.format
                    if fmt == "JPEG":
                        im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
                        im.load()
                    else:
                        im.verify()
            except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
                    ValueError) as exc:
                raise UploadRefused(422, f"{f.file}: not a readable image "
                                         f"({exc.__class__.__name__})") from None
            if (fmt or "").lower() not in ("jpeg", "png") or \
                    MAGIC.get(f"image/{(fmt or '').lower()}") != MAGIC[f.content_type]:
                raise UploadRefused(415, f"{f.file}: a {fmt} image declared as {f.content_type}")

    def place(self, case_id: str, key: str) -> dict[int, Path]:
        """fsync and move the staged files to their final folder; relative paths by upload
        index. Called inside the case's transaction, after the inbox row was won."""
        key_hash = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        final = self.files_dir / "cases" / case_id / key_hash
        if final.exists():  # left by a crash between this key's move and its commit
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        out: dict[int, Path] = {}
        for i, f in enumerate(self.files):
            target = self.staging / f"{i:03d}-{f.file}"
            fd = os.open(f.staged, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(f.staged, target)
            out[i] = target.relative_to(self.staging)
        os.rename(self.staging, final)
        self.placed = final
        _fsync_dir(final.parent)
        return {i: final.relative_to(self.files_dir) / rel for i, rel in out.items()}

    def unplace(self) -> None:
        if self.placed is not None:
            shutil.rmtree(self.placed, ignore_errors=True)
            self.placed = None
        self.discard()

    def discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        shutil.rmtree(self.staging, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
