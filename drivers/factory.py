"""Build each configured device: the real driver named in the config, or its simulator.

This is the only place that knows concrete driver classes; everything else sees interfaces.
Imports are local so a kiosk without, say, a USB stack still starts and reports that one device
as offline instead of crashing.
"""

from __future__ import annotations

from pathlib import Path

from config.schema import Config, DeviceConfig
from drivers.base import Device, DeviceError


class UnknownDriver(DeviceError):
    message_zh = "设备驱动配置错误"


def build_device(kind: str, cfg: DeviceConfig, *, simulate: bool, data_dir: Path) -> Device:
    if simulate or cfg.driver == "simulated":
        return _simulator(kind, cfg, data_dir)
    return _real(kind, cfg)


def build_devices(config: Config, *, simulate: bool, data_dir: Path) -> dict[str, Device]:
    devices: dict[str, Device] = {}
    for kind in ("idcard", "scanner", "camera", "printer", "locker"):
        cfg: DeviceConfig = getattr(config.devices, kind)
        if cfg.enabled:
            devices[kind] = build_device(kind, cfg, simulate=simulate, data_dir=data_dir)
    return devices


def _simulator(kind: str, cfg: DeviceConfig, data_dir: Path) -> Device:
    s = cfg.settings
    if kind == "idcard":
        from drivers.idcard.simulated import SimulatedIdCardReader
        return SimulatedIdCardReader()
    if kind == "scanner":
        from drivers.scanner.simulated import SimulatedScanner
        return SimulatedScanner()
    if kind == "camera":
        from drivers.camera.simulated import SimulatedCamera
        return SimulatedCamera()
    if kind == "printer":
        from drivers.printer.simulated import SimulatedPrinter
        return SimulatedPrinter(out_dir=data_dir / "printouts")
    if kind == "locker":
        from drivers.locker.simulated import SimulatedLocker
        return SimulatedLocker(doors=int(s.get("doors", 24)))  # type: ignore[call-overload]
    raise UnknownDriver(f"no simulator for device kind {kind!r}")


def _real(kind: str, cfg: DeviceConfig) -> Device:
    raise UnknownDriver(f"devices.{kind}.driver = {cfg.driver!r}: real driver not wired yet")
