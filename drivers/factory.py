"""Build each configured device: the real driver named in the config, or its simulator.

This is the only place that knows concrete driver classes; everything else sees interfaces.
Imports are local so a kiosk without, say, a USB stack still starts and reports that one device
as offline instead of crashing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from config.schema import Config, DeviceConfig
from drivers.base import Device, DeviceError, SimulatedFaults


class UnknownDriver(DeviceError):
    message_zh = "设备驱动配置错误"


def simulated(device: object) -> bool:
    """Whether ``device`` is a simulator (what the sim panel may drive), never a real driver."""
    return isinstance(device, SimulatedFaults)


def build_device(kind: str, cfg: DeviceConfig, *, simulate: bool, data_dir: Path) -> Device:
    if simulate or cfg.driver == "simulated":
        return _simulator(kind, cfg, data_dir)
    return _real(kind, cfg)


def build_devices(config: Config, *, simulate: bool, data_dir: Path) -> dict[str, Device]:
    devices: dict[str, Device] = {}
    # the camera first: a camera-decoding scanner shares it
    for kind in ("camera", "idcard", "scanner", "printer", "locker"):
        cfg: DeviceConfig = getattr(config.devices, kind)
        if not cfg.enabled:
            continue
        if kind == "scanner" and cfg.driver == "camera" and not simulate:
            from drivers.scanner.camera_scanner import CameraScanner
            camera = devices.get("camera")
            if camera is None:
                raise UnknownDriver("devices.scanner.driver = 'camera' needs devices.camera "
                                    "enabled")
            devices[kind] = CameraScanner(camera, owns_camera=False)
            continue
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
        out_dir = Path(str(s["out_dir"])) if "out_dir" in s else data_dir / "printouts"
        return SimulatedPrinter(out_dir, settings=dict(s),
                                print_seconds=float(_num(s, "print_seconds", 0.0)))
    if kind == "locker":
        from drivers.locker.simulated import SimulatedLocker
        return SimulatedLocker(doors=_int(s, "doors", 24))
    raise UnknownDriver(f"no simulator for device kind {kind!r}")


def _real(kind: str, cfg: DeviceConfig) -> Device:
    s = cfg.settings
    if kind == "idcard" and cfg.driver == "sam":
        from drivers.idcard.sam import SamIdCardReader
        decoder = s.get("photo_decoder")
        return SamIdCardReader(cfg.port, cfg.baud, cfg.timeout,
                               str(decoder) if decoder else None,
                               poll_interval=_num(s, "poll_interval", 0.1))
    if kind == "scanner" and cfg.driver == "serial":
        from drivers.scanner.serial_scanner import SerialScanner
        return SerialScanner(cfg.port, cfg.baud, cfg.timeout,
                             _suffix(s),
                             gap=_int(s, "gap_ms", 50) / 1000)
    if kind == "scanner" and cfg.driver == "wedge":
        from drivers.scanner.wedge_scanner import WedgeScanner
        return WedgeScanner(max_gap=_int(s, "max_key_gap_ms", 30) / 1000,
                            min_length=_int(s, "min_length", 4))
    if kind == "camera" and cfg.driver == "opencv":
        from drivers.camera.opencv_camera import OpenCvCamera
        index = s.get("index", 0)
        return OpenCvCamera(index if isinstance(index, int) else str(index),
                            _int(s, "width", 1280), _int(s, "height", 720))
    if kind == "printer" and cfg.driver in ("usb", "serial", "network", "file"):
        from drivers.printer.escpos_printer import EscposPrinter
        return EscposPrinter.from_config(cfg)
    if kind == "locker" and cfg.driver in ("8a", "kerong"):
        from drivers.locker.board import SerialLockerBoard
        return SerialLockerBoard.from_config(cfg.driver, cfg.port, cfg.baud, cfg.timeout, s)
    raise UnknownDriver(f"devices.{kind}.driver = {cfg.driver!r} is not a {kind} driver")


# Settings were type-checked against config.schema.SETTINGS at start; these only pick defaults.
def _int(settings: Mapping[str, object], key: str, default: int) -> int:
    value = settings.get(key, default)
    return value if isinstance(value, int) else default


def _num(settings: Mapping[str, object], key: str, default: float) -> float:
    value = settings.get(key, default)
    return float(value) if isinstance(value, int | float) else default


def _suffix(settings: Mapping[str, object]) -> Literal["cr", "lf", "crlf", "none"]:
    value = settings.get("suffix", "cr")
    return value if value in ("cr", "lf", "crlf", "none") else "cr"  # type: ignore[return-value]
