"""QR / barcode scanners: serial, keyboard wedge, camera. All hand over a ``ScannedCode``."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from drivers.base import Device


@dataclass(frozen=True)
class ScannedCode:
    text: str
    format: str = "QRCode"  # symbology as the decoder names it
    source: str = "scanner"  # scanner | wedge | camera | image


class CodeScanner(Device):
    kind = "scanner"

    @abstractmethod
    def read_code(self, timeout: float) -> ScannedCode | None:
        """Wait up to ``timeout`` seconds for one complete code; ``None`` if none came."""
