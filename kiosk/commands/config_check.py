"""``kiosk config check``: validate the configuration the way the kiosk will at start."""

from __future__ import annotations

import argparse

from config.schema import DeviceConfig, SyncConfig
from kiosk.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="check the configuration files")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate defaults + site file, print a summary")
    check.set_defaults(func=_check)
    from kiosk.commands import translations

    translations.register(csub)


def _check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    print(f"ok: {config.hall.name} / kiosk {config.kiosk.id}")
    for kind in ("idcard", "scanner", "camera", "printer", "locker"):
        dev = getattr(config.devices, kind)
        print(f"  {kind:8s} {dev.driver}{_where(kind, dev)}" + ("" if dev.enabled else " (off)"))
    print(f"  {'sync':8s} {_sync(config.sync)}")
    return 0


def _sync(sync: SyncConfig) -> str:
    """Where records go and how often; never the token itself, only where it comes from."""
    if sync.standalone:
        return "standalone (sync.url is empty)"
    token = f"token from {sync.token_file}" if sync.token_file else "token set inline"
    return (f"to {sync.url}, {token}, every {sync.interval_seconds:g} s "
            f"(timeout {sync.request_timeout_seconds:g} s, backoff up to "
            f"{sync.max_backoff_seconds:g} s, heartbeat {sync.heartbeat_seconds:g} s, "
            f"images kept {sync.image_retention_days:g} days after delivery)")


def _where(kind: str, dev: DeviceConfig) -> str:
    """Only what matters for this kind of connection: a baud rate means nothing to a camera."""
    if dev.driver in ("simulated", "wedge"):
        return ""
    if kind == "camera" or dev.driver == "camera":
        return f" camera {dev.settings.get('index', 0)}"
    if dev.driver in ("usb", "network", "file"):
        return f" at {dev.port}"
    return f" on {dev.port} @ {dev.baud} baud"
