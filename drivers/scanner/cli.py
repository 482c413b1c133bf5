"""``kiosk device scanner listen|decode``: try a serial scanner or decode photos from a shell.

``listen`` prints each code as it is scanned (``--json``: one JSON object per line,
``{"text", "format", "source"}``); ``--count N`` stops after N codes, ``--wait S`` gives up after S
seconds without a code (exit 1). ``decode IMAGE…`` prints, with ``--json``, exactly one JSON array
with one object per input in order: ``{"file": <path as given>, "codes": [{"text", "format"}…]}``.
Must never guess: a file that is not an image is an error, not "no code".
"""

from __future__ import annotations

import argparse
import json
import time

from drivers.cli import CommandError
from drivers.cli_args import baud, integer, printable, seconds
from drivers.scanner.framing import SUFFIXES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scanner", help="listen to a QR/barcode scanner, or decode photos")
    ssub = p.add_subparsers(dest="scanner_command", metavar="ACTION", required=True)

    listen = ssub.add_parser("listen", help="print codes from a serial scanner as they come")
    listen.add_argument("--port", required=True,
                        help="serial port: /dev/ttyACM0, a pseudo-terminal or a pyserial URL")
    listen.add_argument("--suffix", choices=tuple(SUFFIXES), default="cr",
                        help="what ends a code: CR, LF, CR LF, or a pause (none) [cr]")
    listen.add_argument("--baud", type=baud, default=115200, help="baud rate [115200]")
    listen.add_argument("--count", type=integer(1, 1_000_000),
                        help="stop after this many codes [never]")
    listen.add_argument("--wait", type=seconds(0, 86400),
                        help="give up (exit 1) after this many seconds without a code [never]")
    listen.add_argument("--json", action="store_true", help="one JSON object per line")
    listen.set_defaults(func=_listen)

    decode = ssub.add_parser("decode", help="decode QR codes and barcodes in image files")
    decode.add_argument("images", nargs="+", metavar="IMAGE", help="PNG/JPEG/… files")
    decode.add_argument("--json", action="store_true", help="print one JSON array")
    decode.set_defaults(func=_decode)


def _listen(args: argparse.Namespace) -> int:
    from drivers.scanner.serial_scanner import SerialScanner

    if args.count is not None and args.count < 1:
        raise CommandError("--count must be at least 1", code=2)
    scanner = SerialScanner(args.port, baud=args.baud, suffix=args.suffix)
    scanner.open()
    received = 0
    try:
        since = time.monotonic()
        while args.count is None or received < args.count:
            code = scanner.read_code(timeout=0.5)
            if code is None:
                if args.wait is not None and time.monotonic() - since >= args.wait:
                    raise CommandError(f"no code from {args.port} within {args.wait:g} s "
                                       f"(got {received}); check --suffix and --baud")
                continue
            received += 1
            since = time.monotonic()
            if args.json:
                print(json.dumps({"text": code.text, "format": code.format,
                                  "source": code.source}, ensure_ascii=False), flush=True)
            else:
                print(printable(code.text), flush=True)
    finally:
        scanner.close()
    return 0


def _decode(args: argparse.Namespace) -> int:
    from drivers.scanner.decode import decode_image, load_image

    images = []
    for path in args.images:
        try:
            images.append(load_image(path))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read image {printable(str(exc))}", code=2) from None
    results = [{"file": path, "codes": [{"text": c.text, "format": c.format}
                                        for c in decode_image(img)]}
               for path, img in zip(args.images, images, strict=True)]
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        for result in results:
            texts = [c["text"] for c in result["codes"]] or ["(no code found)"]
            for text in texts:
                # one line per code even for vCards, and no escape sequence reaches the
                # terminal: control characters inside a code are shown escaped
                print(f"{printable(result['file'])}\t{printable(text)}")
    return 0
