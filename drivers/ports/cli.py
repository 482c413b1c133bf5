"""``kiosk device ports``: which serial ports this machine has, and what is behind them."""

from __future__ import annotations

import argparse
import json

from serial.tools import list_ports


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ports", help="list serial ports with their descriptions")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=_ports)


def _ports(args: argparse.Namespace) -> int:
    ports = [{"device": p.device, "description": p.description, "hwid": p.hwid}
             for p in sorted(list_ports.comports(), key=lambda p: p.device)]
    if args.json:
        print(json.dumps(ports, ensure_ascii=False))
    elif not ports:
        print("no serial ports found (USB–serial adapter unplugged?)")
    else:
        for p in ports:
            print(f"{p['device']}\t{p['description']}\t{p['hwid']}")
    return 0
