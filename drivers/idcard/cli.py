"""``kiosk device idcard read|sam``: a technician reads a card or checks the SAM from a shell.

``read`` waits up to ``--timeout`` seconds for a card and prints it unmasked (diagnostics only;
every citizen-facing screen masks), ``--json`` printing exactly ``IdCard.to_json()``. No card in
time → exit 1 with one line on stderr. ``sam`` prints the SAM module's id and status.
Must never print a card anywhere but the technician's terminal (no logging of card data).
"""

from __future__ import annotations

import argparse
import json

from drivers.cli import CommandError
from drivers.cli_args import baud, printable, seconds
from drivers.idcard.base import IdCard
from drivers.idcard.sam import SamIdCardReader


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("idcard", help="read an ID card or check the SAM module (GA 467 reader)")
    isub = p.add_subparsers(dest="idcard_command", metavar="ACTION", required=True)
    read = isub.add_parser("read", help="wait for a card and print what it holds (unmasked)")
    _common(read)
    read.add_argument("--timeout", type=seconds(0, 3600), default=10.0,
                      help="seconds to wait for a card [10]")
    read.add_argument("--photo-decoder", metavar="LIB",
                      help="vendor WLT decoder shared library (optional)")
    read.set_defaults(func=_read)
    sam = isub.add_parser("sam", help="print the SAM module's id and status")
    _common(sam)
    sam.set_defaults(func=_sam)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", required=True,
                   help="serial port: /dev/ttyUSB0, a pseudo-terminal or a pyserial URL")
    p.add_argument("--baud", type=baud, default=115200, help="baud rate [115200; old units 9600]")
    p.add_argument("--json", action="store_true", help="print one JSON document")


def _read(args: argparse.Namespace) -> int:
    reader = SamIdCardReader(args.port, baud=args.baud, photo_decoder=args.photo_decoder)
    try:
        card = reader.read_card(timeout=args.timeout)
    finally:
        reader.close()
    if card is None:
        raise CommandError(f"no ID card on the reader at {args.port} within {args.timeout:g} s "
                           f"(place a card on the reader and try again)")
    if args.json:
        print(json.dumps(card.to_json(), ensure_ascii=False))
    else:
        print(_as_text(card))
    return 0


# English labels only: CJK labels cannot be column-aligned in a terminal.
_LABELS = {
    "card_type": "card type", "name": "name", "name_en": "English name", "sex": "sex",
    "nation": "nation", "nationality": "nationality", "birth_date": "born",
    "address": "address", "id_number": "ID number", "id_number_valid": "ID check passed",
    "issuer": "issuer", "valid_from": "valid from", "valid_until": "valid until",
    "photo": "photo",
}


def _as_text(card: IdCard) -> str:
    fields = card.to_json()
    width = max(len(label) for label in _LABELS.values())
    # card fields come off the wire: a forged card must not drive the technician's terminal
    return "\n".join(f"{label:<{width}}  {printable(str(fields[key]))}"
                     for key, label in _LABELS.items()
                     if fields.get(key) not in (None, ""))


def _sam(args: argparse.Namespace) -> int:
    reader = SamIdCardReader(args.port, baud=args.baud)
    try:
        status = reader.sam_status()
        sam_id = reader.sam_id() if status.ok else None
    finally:
        reader.close()
    if args.json:
        print(json.dumps({"status": f"{status.status:02X}", "ok": status.ok,
                          "message": status.message,
                          "sam_id": str(sam_id) if sam_id else None,
                          "sam_id_hex": sam_id.raw.hex() if sam_id else None},
                         ensure_ascii=False))
    else:
        print(f"SAM status: {status.status:02X} {status.message} ({status.message_zh})")
        print(f"SAM id:     {sam_id if sam_id else '(not readable while the SAM is faulty)'}")
    if not status.ok:
        raise CommandError(f"SAM not ready: {status.message}")
    return 0
