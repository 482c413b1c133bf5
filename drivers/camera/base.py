"""Cameras: a worker thread captures; the UI asks for the newest frame and never waits."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from drivers.base import Device, DeviceError

if TYPE_CHECKING:
    import numpy as np


class CaptureRejected(DeviceError):
    """A document photo is not usable; ``message_zh`` tells the citizen what to fix."""

    message_zh = "照片不清晰，请重新拍摄"


class Camera(Device):
    kind = "camera"

    @abstractmethod
    def latest_frame(self) -> np.ndarray | None:
        """The newest BGR frame (H×W×3 uint8), or ``None`` before the first one arrives."""
