"""Build each configured device: the real driver named in the config, or its simulator.

This is the only place that knows concrete driver classes; everything else sees interfaces.
Imports are local so a kiosk without, say, a USB stack still starts and reports that one device
as offline instead of crashing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.schema import SETTINGS_MODELS, Config, DeviceConfig
from config.validation import problem, validate
from drivers.base import Device, DeviceError
from drivers.faults import SimulatedFaults


class UnknownDriver(DeviceError):
    message_zh = "设备驱动配置错误"


def simulated(device: object) -> bool:
    """Whether ``device`` is a simulator (what the sim panel may drive), never a real driver."""
    return isinstance(device, SimulatedFaults)


def settings_of(kind: str, cfg: DeviceConfig) -> Mapping[str, object]:
    """The device's settings with every default filled in (from ``config.schema``, the only
    copy). A loaded configuration already holds them; a ``DeviceConfig`` built by hand with a
    plain dict is validated here the same way."""
    model = SETTINGS_MODELS.get(kind)
    if model is None or isinstance(cfg.settings, model):
        return cfg.settings
    try:
        return validate(model, dict(cfg.settings))
    except ValidationError as exc:
        p = problem(exc, model, f"devices.{kind}.settings")
        raise UnknownDriver(f"{p.key}: found {p.found}, expected {p.expected}") from None


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
    if "locker" in devices and config.locker.boards:  # a cabinet of several (mixed) boards
        from drivers.locker.cabinet import CabinetBoards
        boards = [devices["locker"], *(build_device("locker", b, simulate=simulate,
                                                    data_dir=data_dir)
                                       for b in config.locker.boards)]
        devices["locker"] = CabinetBoards(boards, [int(getattr(b, "doors", 1)) for b in boards])
    return devices


def _simulator(kind: str, cfg: DeviceConfig, data_dir: Path) -> Device:
    s = settings_of(kind, cfg)
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
        return SimulatedPrinter(out_dir, settings=s,  # validated: taken as it is
                                print_seconds=float(_number(s["print_seconds"])))
    if kind == "locker":
        from drivers.locker.simulated import SimulatedLocker
        if "doors" in s:
            return SimulatedLocker(doors=int(_number(s["doors"])))
        return SimulatedLocker()
    raise UnknownDriver(f"no simulator for device kind {kind!r}")


def _real(kind: str, cfg: DeviceConfig) -> Device:
    s = settings_of(kind, cfg)
    if kind == "idcard" and cfg.driver == "sam":
        from drivers.idcard.sam import SamIdCardReader
        decoder = s.get("photo_decoder")
        return SamIdCardReader(cfg.port, cfg.baud, cfg.timeout,
                               str(decoder) if decoder else None,
                               poll_interval=_number(s["poll_interval"]))
    if kind == "scanner" and cfg.driver == "serial":
        from drivers.scanner.serial_scanner import SerialScanner
        return SerialScanner(cfg.port, cfg.baud, cfg.timeout,
                             s["suffix"],  # type: ignore[arg-type]  # one of cr/lf/crlf/none
                             gap=_number(s["gap_ms"]) / 1000)
    if kind == "scanner" and cfg.driver == "wedge":
        from drivers.scanner.wedge_scanner import WedgeScanner
        return WedgeScanner(max_gap=_number(s["max_key_gap_ms"]) / 1000,
                            min_length=int(_number(s["min_length"])))
    if kind == "camera" and cfg.driver == "opencv":
        from drivers.camera.opencv_camera import OpenCvCamera
        index = s["index"]
        return OpenCvCamera(index if isinstance(index, int) else str(index),
                            int(_number(s["width"])), int(_number(s["height"])))
    if kind == "printer" and cfg.driver in ("usb", "serial", "network", "file"):
        from drivers.printer.escpos_printer import EscposPrinter
        return EscposPrinter.from_config(cfg)
    if kind == "locker" and cfg.driver in ("8a", "kerong"):
        from drivers.locker.board import SerialLockerBoard
        return SerialLockerBoard.from_config(cfg.driver, cfg.port, cfg.baud, cfg.timeout,
                                             dict(s))
    raise UnknownDriver(f"devices.{kind}.driver = {cfg.driver!r} is not a {kind} driver")


def _number(value: object) -> float:
    """Settings were validated against ``config.schema``; this only narrows the type."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnknownDriver(f"a device setting holds {value!r} where a number belongs")
    return float(value)



def document_functions(steady_frames: int) -> tuple[Callable[..., Any], Callable[..., Any],
                                                     Callable[[], Any]]:
    """The camera package's page detection for the submission flow: ``assess_frame(frame)``,
    ``straighten(frame, corners)`` and a maker of fresh ``SteadyCapture``s. Named here (the
    place concrete camera code is named) so the core sees only these three callables; OpenCV
    is imported at the first frame, not at start-up."""

    def assess(frame: Any) -> Any:
        from drivers.camera.document import assess_frame
        return assess_frame(frame)

    def straighten(frame: Any, corners: Any) -> Any:
        from drivers.camera.document import straighten as straighten_page
        return straighten_page(frame, corners)

    def steady() -> Any:
        from drivers.camera.steady import SteadyCapture
        return SteadyCapture(steady_frames=steady_frames)

    return assess, straighten, steady
