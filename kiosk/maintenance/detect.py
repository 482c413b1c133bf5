"""What is plugged into this machine, for the technician to choose a connection from.

Serial ports with their USB descriptions (pyserial's ``list_ports``, plus any path matching
``port_globs`` such as ``/dev/serial/by-id/*``), USB printers (``/dev/usb/lp*``) and cameras
(``/dev/video*``). Read-only: never opens a port (a reader mid-read must not be disturbed).
"""

from __future__ import annotations

import glob
from dataclasses import dataclass

from serial.tools import list_ports

DEFAULT_PORT_GLOBS = ("/dev/serial/by-id/*",)


@dataclass(frozen=True)
class DetectedPort:
    device: str
    description: str
    kind: str  # serial | usb-printer | camera


def detect(port_globs: tuple[str, ...] | list[str] = DEFAULT_PORT_GLOBS) -> list[DetectedPort]:
    found: dict[str, DetectedPort] = {}
    try:
        comports = list(list_ports.comports())
    except OSError:  # /sys unreadable in a container: the globs still work
        comports = []
    for p in sorted(comports, key=lambda p: p.device):
        described = [t for t in (p.description, p.hwid) if t and t != "n/a"]
        found[p.device] = DetectedPort(p.device, described[0] if described else "", "serial")
    for pattern in port_globs:
        for path in sorted(glob.glob(pattern)):
            found.setdefault(path, DetectedPort(path, "", "serial"))
    for path in sorted(glob.glob("/dev/usb/lp*")):
        found.setdefault(path, DetectedPort(path, "USB printer", "usb-printer"))
    for path in sorted(glob.glob("/dev/video*")):
        found.setdefault(path, DetectedPort(path, "camera", "camera"))
    return list(found.values())
