"""``kiosk device camera snapshot|document``: a camera picture; the capture guidance on files.

``snapshot``: ``--camera`` is an index (0), a device path (/dev/video2), a video file, or ``sim``
for the simulated desk camera. With ``--document`` the page is found, straightened and checked,
and the corrected page is written — or the command fails with the reason the citizen would be
shown. ``document IMAGE…``: what the capture preview would say about each photo (the same
``assess_frame``), one line per file, or JSON Lines with ``--json``. Must never leave the camera
open (the worker thread is stopped before the command returns) and never decode a file before
its size and pixel count are known to be bounded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from drivers.cli import CommandError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 50_000_000
ENGLISH = Path(__file__).resolve().parents[2] / "config" / "locale" / "en" / "docscan.po"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("camera", help="take a snapshot or a document photo")
    csub = p.add_subparsers(dest="camera_command", metavar="ACTION", required=True)
    snap = csub.add_parser("snapshot", help="save one frame (or the straightened page)")
    snap.add_argument("--camera", default="0",
                      help="index, device path, video file, or 'sim' (simulated) [0]")
    snap.add_argument("--out", required=True, help="file to write (.jpg or .png)")
    snap.add_argument("--document", action="store_true",
                      help="find the page, correct perspective, reject blur/bad exposure")
    snap.add_argument("--width", type=int, default=1280, help="frame width [1280]")
    snap.add_argument("--height", type=int, default=720, help="frame height [720]")
    snap.add_argument("--quality", type=int, default=85, help="JPEG quality 1-100 [85]")
    snap.add_argument("--qr", metavar="TEXT", help="with --camera sim: show a QR code on the page")
    snap.add_argument("--wait", type=float, default=5.0,
                      help="seconds to wait for the first frame [5]")
    snap.set_defaults(func=_snapshot)
    doc = csub.add_parser("document", help="the capture guidance (page found? blurred? glare?) "
                                            "for photo files")
    doc.add_argument("images", nargs="+", metavar="IMAGE", help="photo files (JPEG, PNG, …)")
    doc.add_argument("--json", action="store_true",
                     help="one JSON object per file and line (JSON Lines)")
    doc.set_defaults(func=_document)


class UnreadableImage(Exception):
    """A file that is not a bounded, decodable image; the message names the file and why."""


def read_bounded(path: Path) -> Any:
    """The image at ``path`` as BGR, checked before decoding: at most ``MAX_FILE_BYTES`` on disk
    and ``MAX_PIXELS`` by its header."""
    import cv2
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableImage(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not path.is_file():
        raise UnreadableImage(f"{path}: not a file")
    if size > MAX_FILE_BYTES:
        raise UnreadableImage(f"{path}: {size / 2**20:.0f} MB, expected at most "
                              f"{MAX_FILE_BYTES // 2**20} MB")
    try:
        with Image.open(path) as header:  # reads the header only
            width, height = header.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise UnreadableImage(f"{path}: not an image file PIL recognises "
                              f"({type(exc).__name__})") from exc
    if width * height > MAX_PIXELS:
        raise UnreadableImage(f"{path}: {width}x{height} = {width * height / 1e6:.0f} Mpx, "
                              f"expected at most {MAX_PIXELS / 1e6:.0f} Mpx")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableImage(f"{path}: cannot read ({exc.strerror or exc})") from exc
    # imdecode from bytes: cv2.imread cannot open paths with Chinese characters
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise UnreadableImage(f"{path}: {width}x{height} image OpenCV cannot decode "
                              "(truncated or unsupported)")
    return image


def _english() -> dict[str, str]:
    """The guidance messages in English, from the catalogue the screens use."""
    from babel.messages.pofile import read_po

    try:
        with ENGLISH.open("rb") as f:
            catalog = read_po(f, locale="en")
    except (OSError, ValueError):
        return {}
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def _document(args: argparse.Namespace) -> int:
    from drivers.camera.document import assess_frame

    english = _english()
    failed = 0
    for name in args.images:
        path = Path(name)
        try:
            frame = read_bounded(path)
        except UnreadableImage as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        a = assess_frame(frame)
        corners = None if a.corners is None else [[round(float(x), 1), round(float(y), 1)]
                                                   for x, y in a.corners]
        if args.json:
            print(json.dumps({
                "file": name, "page_found": a.page_found, "corners": corners,
                "verdict": a.verdict.value, "message": a.message,
                "message_en": english.get(a.message, a.message),
                "sharpness": round(a.sharpness, 2), "brightness": round(a.brightness, 1),
                "width": int(frame.shape[1]), "height": int(frame.shape[0]),
            }, ensure_ascii=False), flush=True)
        else:
            where = ("" if corners is None else
                     " page at " + " ".join(f"({x:.0f},{y:.0f})" for x, y in corners))
            print(f"{name}: {a.verdict.value}{where} - {english.get(a.message, a.message)}",
                  flush=True)
    return 1 if failed else 0


def _snapshot(args: argparse.Namespace) -> int:
    from drivers.camera.base import Camera
    from drivers.camera.document import capture_document, save_compressed

    camera: Camera
    if args.camera == "sim":
        from drivers.camera.simulated import SimulatedCamera
        sim = SimulatedCamera(args.width, args.height)
        if args.qr is not None:
            sim.show_qr(args.qr)
        camera = sim
    else:
        from drivers.camera.opencv_camera import OpenCvCamera
        source: int | str = int(args.camera) if args.camera.isdigit() else args.camera
        camera = OpenCvCamera(source, args.width, args.height)
    camera.open()
    try:
        deadline = time.monotonic() + args.wait
        frame = camera.latest_frame()
        while frame is None and time.monotonic() < deadline:
            # the worker thread is filling in the first frame; poll with a deadline
            time.sleep(0.02)
            frame = camera.latest_frame()
        reason = camera.health().reason
    finally:
        camera.close()
    if frame is None:
        raise CommandError(f"no frame from camera {args.camera} within {args.wait:g} s "
                           f"({reason or 'camera open but silent'})")
    image = capture_document(frame).image if args.document else frame
    size = save_compressed(image, args.out, quality=args.quality)
    h, w = image.shape[:2]
    print(f"{args.out}: {w}x{h}, {size} bytes")
    return 0
