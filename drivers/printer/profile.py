"""What this kiosk's receipt printer can do, read from ``devices.printer.settings``.

A ``PrinterProfile`` says which Chinese encoding the printer's font ROM speaks (GB18030 or GBK),
whether CJK text must be wrapped in ``FS &`` / ``FS .``, how wide the paper is and how to cut.
Its fields, types, ranges and defaults are ``config.schema.PrinterProfileSettings`` — the same
model that validates the site file — so the driver and the configuration cannot disagree.
It is plain data: it never talks to a printer and never guesses from the model name.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from config.schema import PrinterProfileSettings
from config.validation import fields, model, narrowed, problem, validate
from drivers.printer.base import PrinterError

# Font A on 203 dpi thermal heads is 12 x 24 dots, so columns = printable dots / 12.
PAPER: dict[int, tuple[int, int]] = {80: (48, 576), 58: (32, 384)}


class PrinterSettingsError(PrinterError):
    """``devices.printer.settings`` holds a value the printer driver cannot use."""

    message_zh = "打印机参数配置错误"


@model
class PrinterProfile(PrinterProfileSettings):
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
        """Build from ``DeviceConfig.settings``; other drivers' keys are ignored, a wrong value
        is refused in one line naming the key so a technician can fix the TOML. Settings
        from a loaded configuration passed the same checks already: they are taken as they are."""
        if isinstance(settings, PrinterProfileSettings):
            return narrowed(cls, PrinterProfileSettings, settings)
        own = fields(cls)
        data = {k: (v.lower() if isinstance(v, str) else v) for k, v in settings.items()
                if k in own}
        try:
            return validate(cls, data)
        except ValidationError as exc:
            p = problem(exc, cls, "devices.printer.settings")
            raise PrinterSettingsError(f"{p.key}: found {p.found}, expected {p.expected}"
                                       ) from None
