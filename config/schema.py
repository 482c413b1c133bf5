"""The shape of the kiosk's configuration, as typed dataclasses.

``kiosk.config`` reads ``config/defaults.toml`` and the site file, checks every key against these
classes and refuses to start on the first mismatch, naming the file, the key, what it found and
what it expected. Add a setting here and in ``defaults.toml``; nothing else reads raw TOML.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HallConfig:
    name: str
    name_en: str
    code: str
    timezone: str = "Asia/Shanghai"
    rating_url: str = "https://hall.example.gov.cn/rate"
    queue_url: str = "https://hall.example.gov.cn/queue"
    progress_url: str = "https://hall.example.gov.cn/case"
    # The key for hashing ID numbers (per-person limits). Empty: <data_dir>/hall_secret, made on
    # first use. Every kiosk of a hall sharing one database must use the same secret.
    secret_file: str = ""


@dataclass(frozen=True)
class KioskConfig:
    id: str
    language: str = "zh"  # zh | en
    data_dir: str = "var"  # relative paths are relative to the working directory
    database: str = ""  # empty: SQLite file in data_dir; or a SQLAlchemy URL (postgresql://…)
    catalogue: str = ""  # empty: the shipped config/catalogue.toml
    portrait: bool = True
    log_level: str = "INFO"


@dataclass(frozen=True)
class TimeoutsConfig:
    idle_seconds: int = 60
    idle_warning_seconds: int = 10
    elder_factor: float = 2.0
    error_page_seconds: int = 15


@dataclass(frozen=True)
class GreenChannelConfig:
    min_age: int = 70
    groups: list[str] = field(default_factory=lambda: ["pregnant", "military", "disabled"])


@dataclass(frozen=True)
class DeviceConfig:
    """One device. ``driver = "simulated"`` selects the simulator; otherwise the real driver
    named here talks to ``port`` (a device path, a pseudo-terminal or a pyserial URL)."""

    driver: str = "simulated"
    port: str = ""
    baud: int = 9600
    timeout: float = 1.0
    enabled: bool = True
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class DevicesConfig:
    idcard: DeviceConfig
    scanner: DeviceConfig
    camera: DeviceConfig
    printer: DeviceConfig
    locker: DeviceConfig


@dataclass(frozen=True)
class SyncConfig:
    """The hall server this kiosk reports to. ``url = ""``: standalone, nothing is sent."""

    url: str = ""
    token: str = ""
    token_file: str = ""  # wins over token when set
    interval_seconds: float = 2.0
    request_timeout_seconds: float = 10.0
    max_backoff_seconds: float = 300.0
    image_retention_days: float = 0.0  # keep material images this long after confirmed delivery
    heartbeat_seconds: float = 60.0


@dataclass(frozen=True)
class Config:
    hall: HallConfig
    kiosk: KioskConfig
    timeouts: TimeoutsConfig
    green_channel: GreenChannelConfig
    devices: DevicesConfig
    sync: SyncConfig = field(default_factory=SyncConfig)

# Allowed values for string settings whose vocabulary is closed.
CHOICES: dict[str, tuple[str, ...]] = {
    "kiosk.language": ("zh", "en"),
    "kiosk.log_level": ("DEBUG", "INFO", "WARNING", "ERROR"),
    "devices.idcard.driver": ("simulated", "sam"),
    "devices.scanner.driver": ("simulated", "serial", "wedge", "camera"),
    "devices.camera.driver": ("simulated", "opencv"),
    "devices.printer.driver": ("simulated", "usb", "serial", "network", "file"),
    "devices.locker.driver": ("simulated", "8a", "kerong"),
}

# Device settings: the keys each kind accepts, with their types. A key not listed here is refused
# at start, so a typo like ``open_bitt`` cannot silently fall back to a default on site.
SETTINGS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "idcard": {"photo_decoder": str, "poll_interval": float},
    "scanner": {"suffix": str, "gap_ms": int, "max_key_gap_ms": int, "min_length": int},
    "camera": {"index": (int, str), "width": int, "height": int},
    "printer": {"encoding": str, "chinese_mode": bool, "paper_width_mm": int,
                "qr_module_size": int, "cut": str, "cut_feed_lines": int, "out_dir": str,
                "print_seconds": float},
    "locker": {"board": int, "doors": int, "open_bit": int, "retries": int, "addressing": str},
}

SETTING_CHOICES: dict[str, tuple[object, ...]] = {
    "scanner.suffix": ("cr", "lf", "crlf", "none"),
    "printer.encoding": ("gb18030", "gbk"),
    "printer.paper_width_mm": (58, 80),
    "printer.cut": ("full", "partial"),
    "locker.open_bit": (0, 1),
    "locker.addressing": ("board_high_nibble", "lock_only"),
}
