"""``kiosk config check``: validate the configuration the way the kiosk will at start."""

from __future__ import annotations

import argparse

from kiosk.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="check the configuration files")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate defaults + site file, print a summary")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    print(f"ok: {config.hall.name} / kiosk {config.kiosk.id}")
    for kind in ("idcard", "scanner", "camera", "printer", "locker"):
        dev = getattr(config.devices, kind)
        where = "" if dev.driver == "simulated" else f" on {dev.port or '-'} @ {dev.baud}"
        print(f"  {kind:8s} {dev.driver}{where}")
    return 0
