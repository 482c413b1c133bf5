"""What this kiosk's receipt printer can do, read from ``devices.printer.settings``.

A ``PrinterProfile`` says which Chinese encoding the printer's font ROM speaks (GB18030 or GBK),
whether CJK text must be wrapped in ``FS &`` / ``FS .``, how wide the paper is and how to cut.
It is plain data: it never talks to a printer and never guesses from the model name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from drivers.printer.base import PrinterError

Encoding = Literal["gb18030", "gbk"]
CutMode = Literal["partial", "full"]

# Font A on 203 dpi thermal heads is 12 x 24 dots, so columns = printable dots / 12.
PAPER: dict[int, tuple[int, int]] = {80: (48, 576), 58: (32, 384)}


class PrinterSettingsError(PrinterError):
    """``devices.printer.settings`` holds a value the printer driver cannot use."""

    message_zh = "打印机参数配置错误"


@dataclass(frozen=True)
class PrinterProfile:
    encoding: Encoding = "gb18030"
    chinese_mode: bool = True  # wrap CJK runs in FS & ... FS . (printers that boot in ASCII mode)
    paper_width_mm: int = 80
    qr_module_size: int = 6  # dots per QR module when the receipt does not say
    cut: CutMode = "partial"
    cut_feed_lines: int = 4  # lines between the print head and the cutter blade

    def __post_init__(self) -> None:
        if self.encoding not in ("gb18030", "gbk"):
            raise PrinterSettingsError(
                f"printer encoding {self.encoding!r}: expected 'gb18030' or 'gbk'")
        if self.paper_width_mm not in PAPER:
            raise PrinterSettingsError(
                f"printer paper_width_mm {self.paper_width_mm!r}: expected 80 or 58")
        if not 1 <= self.qr_module_size <= 16:
            raise PrinterSettingsError(
                f"printer qr_module_size {self.qr_module_size!r}: expected 1..16 dots")
        if self.cut not in ("partial", "full"):
            raise PrinterSettingsError(f"printer cut {self.cut!r}: expected 'partial' or 'full'")
        if not 0 <= self.cut_feed_lines <= 255:
            raise PrinterSettingsError(
                f"printer cut_feed_lines {self.cut_feed_lines!r}: expected 0..255")

    @property
    def columns(self) -> int:
        """Half-width characters per line at normal size (an ASCII letter is 1, a 汉字 2)."""
        return PAPER[self.paper_width_mm][0]

    @property
    def dots(self) -> int:
        """Printable width in dots (= pixels of the PNG preview)."""
        return PAPER[self.paper_width_mm][1]

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> PrinterProfile:
        """Build from ``DeviceConfig.settings``; unknown keys are ignored (other drivers' keys),
        wrong types are refused with the key named so a technician can fix the TOML."""
        kwargs: dict[str, object] = {}
        for key, typ in (("encoding", str), ("chinese_mode", bool), ("paper_width_mm", int),
                         ("qr_module_size", int), ("cut", str), ("cut_feed_lines", int)):
            if key not in settings:
                continue
            value = settings[key]
            # bool is an int in Python: refuse true/false where a number is meant
            if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
                raise PrinterSettingsError(
                    f"devices.printer.settings.{key} = {value!r}: expected {typ.__name__}")
            kwargs[key] = value.lower() if isinstance(value, str) else value
        return cls(**kwargs)  # type: ignore[arg-type]
