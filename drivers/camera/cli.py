"""``kiosk device camera snapshot``: take one picture from a camera, optionally as a document.

``--camera`` is an index (0), a device path (/dev/video2), a video file, or ``sim`` for the
simulated desk camera. With ``--document`` the page is found, straightened and checked, and the
corrected page is written — or the command fails with the reason the citizen would be shown.
Must never leave the camera open: the worker thread is stopped before the command returns.
"""

from __future__ import annotations

import argparse
import time

from drivers.cli import CommandError


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
