"""``kiosk device locker open|status``: a technician opens a door or reads all doors from a shell.

``open`` exits 0 only when the board confirmed the door open; a jammed latch fails with one clear
line after its retries. ``status --json`` prints ``{"doors": {"1": "open"|"closed", …}}`` plus
``"items": {"1": true|false, …}`` when the board has infrared item sensors (Kerong).
Must never guess: every figure printed comes from the board.
"""

from __future__ import annotations

import argparse
import json

from drivers.cli import CommandError
from drivers.cli_args import baud, integer, seconds
from drivers.locker.board import PROTOCOLS, SerialLockerBoard
from drivers.locker.protocol_kerong import Addressing


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("locker", help="open a locker door or read all doors (lock board, RS485)")
    lsub = p.add_subparsers(dest="locker_command", metavar="ACTION", required=True)
    door_open = lsub.add_parser("open", help="open one door and confirm it by reading it back")
    door_open.add_argument("door", type=int, help="door number, from 1")
    _common(door_open)
    door_open.set_defaults(func=_open)
    status = lsub.add_parser("status", help="read the state of every door")
    _common(status)
    status.set_defaults(func=_status)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", required=True,
                   help="serial port: /dev/ttyUSB0, a pseudo-terminal or a pyserial URL")
    p.add_argument("--protocol", choices=PROTOCOLS, required=True, help="lock board family")
    p.add_argument("--board", type=integer(0, 255), default=1,
                   help="board address (8A: 0-255; Kerong: DIP switch 0-15) [1]")
    p.add_argument("--doors", type=integer(1, 128), help="locks on the board [8a: 24, kerong: 16]")
    p.add_argument("--baud", type=baud, default=9600, help="baud rate [9600]")
    p.add_argument("--timeout", type=seconds(0, 60), default=0.5,
                   help="seconds to wait per answer [0.5]")
    p.add_argument("--retries", type=integer(0, 10), default=3,
                   help="attempts before giving up [3]")
    p.add_argument("--open-bit", type=int, choices=(1, 0), default=1,
                   help="state bit value that means open (board model polarity) [1]")
    p.add_argument("--addressing", choices=[a.value for a in Addressing],
                   default=Addressing.BOARD_HIGH_NIBBLE.value,
                   help="Kerong only: how ADDR names board and lock [board_high_nibble]")
    p.add_argument("--json", action="store_true", help="print one JSON document")


def _board(args: argparse.Namespace) -> SerialLockerBoard:
    try:
        return SerialLockerBoard(args.port, protocol=args.protocol, board=args.board,
                                 doors=args.doors, baud=args.baud, timeout=args.timeout,
                                 open_bit=args.open_bit, retries=args.retries,
                                 addressing=args.addressing)
    except ValueError as exc:
        raise CommandError(str(exc), code=2) from exc


def _open(args: argparse.Namespace) -> int:
    board = _board(args)
    try:
        board.open_door(args.door)
    except ValueError as exc:
        raise CommandError(str(exc), code=2) from exc
    finally:
        board.close()
    if args.json:
        print(json.dumps({"door": args.door, "open": True}))
    else:
        print(f"door {args.door} of board {args.board} is open (confirmed by the board)")
    return 0


def _status(args: argparse.Namespace) -> int:
    board = _board(args)
    try:
        states = board.door_states()
    finally:
        board.close()
    doors = {str(door): "open" if s.is_open else "closed" for door, s in states.items()}
    items = {str(door): s.item_present for door, s in states.items()
             if s.item_present is not None}
    if args.json:
        document: dict[str, object] = {"doors": doors}
        if items:
            document["items"] = items
        print(json.dumps(document))
        return 0
    for door, state in states.items():
        item = "" if state.item_present is None else (
            "  item inside" if state.item_present else "  empty")
        print(f"door {door:2d}  {'OPEN  ' if state.is_open else 'closed'}{item}")
    return 0
