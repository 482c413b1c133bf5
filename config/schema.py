"""The shape of the kiosk's configuration, as pydantic models: types, ranges and defaults.

``config.loader`` reads ``config/defaults.toml`` and the site file, validates the merged result
against ``Config`` and refuses to start on the first mismatch, naming the file, the key, what it
found and what it expected (worded by ``config.validation`` from the bounds written here). Every
default lives either in ``defaults.toml`` (what a technician should see and override) or here
(the settings a site rarely touches) — never in the code that uses the value. Add a setting here
(and in ``defaults.toml`` if it is one a site sets); nothing else reads raw TOML.

These models must never read files or the environment: that is the loader's job.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, field_validator, model_validator

from config.validation import Bool, Float, Int, SettingsMapping, Str, expected, model, one_of

STANDARD_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)


def _standard_baud(value: int) -> int:
    if value not in STANDARD_BAUDS:
        raise expected("a standard baud rate such as 9600 or 115200")
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise expected("an http:// or https:// address")
    try:
        port = parts.port  # raises ValueError outside 0..65535
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise expected("an address whose port is from 1 to 65535")
    return value


def _optional_http_url(value: str) -> str:
    return _http_url(value) if value else value


def _without_password(url: str) -> str:
    """The URL as an error line may show it: a password is never echoed."""
    return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)


def _refused(url: str, text: str) -> Exception:
    return expected(text, found=_without_password(url))


def _database_url(value: str) -> str:
    """Empty (SQLite in data_dir), ``sqlite:///path`` or ``postgresql://…``: the only two the
    kiosk's storage is built and tested for."""
    if not value:
        return value
    scheme, sep, rest = value.partition("://")
    if not sep or not rest:
        raise _refused(value, "a database URL such as postgresql://user@host/hall or sqlite:///path")
    backend = scheme.split("+", 1)[0].lower()
    if backend == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise _refused(value, "sqlite:///path/to/file.sqlite3 (three slashes and a file)")
        return value
    if backend not in ("postgresql", "postgres"):
        raise _refused(value, "a postgresql://… or sqlite:///… URL "
                              "(other databases are not supported)")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _refused(value, "a postgresql:// URL whose port is from 1 to 65535") from None
    if not parts.hostname and "host=" not in parts.query:
        raise _refused(value, "a postgresql://user@host/database URL naming the host")
    if port is not None and not 1 <= port <= 65535:
        raise _refused(value, "a postgresql:// URL whose port is from 1 to 65535")
    return value


Text = Annotated[Str, Field(min_length=1)]
Url = Annotated[Str, AfterValidator(_http_url)]
Baud = Annotated[Int, AfterValidator(_standard_baud)]
Seconds = Annotated[Float, Field(gt=0, le=600)]
def _code(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", value):
        raise expected("1 to 16 letters, digits, - or _ (such as K01)")
    return value


Code = Annotated[Str, AfterValidator(_code)]
Language = one_of("zh", "en")
LogLevel = one_of("DEBUG", "INFO", "WARNING", "ERROR")
Suffix = one_of("cr", "lf", "crlf", "none")
Encoding = one_of("gb18030", "gbk")
PaperWidth = one_of(80, 58)
CutMode = one_of("partial", "full")
OpenBit = one_of(0, 1)
Addressing = one_of("board_high_nibble", "lock_only")

# The drivers each kind of device accepts ("simulated" is always the simulator).
DRIVERS: dict[str, tuple[str, ...]] = {
    "idcard": ("simulated", "sam"),
    "scanner": ("simulated", "serial", "wedge", "camera"),
    "camera": ("simulated", "opencv"),
    "printer": ("simulated", "usb", "serial", "network", "file"),
    "locker": ("simulated", "8a", "kerong"),
}
DEVICE_KINDS = tuple(DRIVERS)


@model
class HallConfig:
    name: Text
    name_en: Text
    code: Code
    timezone: Str = "Asia/Shanghai"
    rating_url: Url = "https://hall.example.gov.cn/rate"
    queue_url: Url = "https://hall.example.gov.cn/q"  # <hall server>/q: the ticket page
    progress_url: Url = "https://hall.example.gov.cn/case"
    guide_url: Url = "https://hall.example.gov.cn/guide"  # <guide_url>/<item id>: the guide online
    # The key for hashing ID numbers (per-person limits). Empty: <data_dir>/hall_secret, made on
    # first use. Every kiosk of a hall sharing one database must use the same secret.
    secret_file: Str = ""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise expected("an IANA time zone such as Asia/Shanghai") from None
        return value


@model
class KioskConfig:
    id: Code
    language: Language = "zh"
    data_dir: Text = "var"  # relative paths are relative to the working directory
    # empty: SQLite file in data_dir; or a SQLAlchemy URL (postgresql://…)
    database: Annotated[Str, AfterValidator(_database_url)] = ""
    catalogue: Str = ""  # empty: the shipped config/catalogue.toml
    portrait: Bool = True
    log_level: LogLevel = "INFO"


@model
class TimeoutsConfig:
    idle_seconds: Annotated[Int, Field(ge=10, le=3600)] = 60
    idle_warning_seconds: Annotated[Int, Field(ge=1, le=600)] = 10
    elder_factor: Annotated[Float, Field(ge=1.0, le=5.0)] = 2.0
    error_page_seconds: Annotated[Int, Field(ge=1, le=600)] = 15

    @model_validator(mode="after")
    def _warning_inside_idle(self) -> TimeoutsConfig:
        if self.idle_warning_seconds >= self.idle_seconds:
            raise expected("fewer seconds than timeouts.idle_seconds",
                           field="idle_warning_seconds", found=self.idle_warning_seconds)
        return self


@model
class GreenChannelConfig:
    min_age: Annotated[Int, Field(ge=50, le=120)] = 70
    groups: list[Text] = Field(default_factory=lambda: ["pregnant", "military", "disabled"])


def _voice_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_+-]{1,32}", value):
        raise expected("an espeak-ng voice name such as cmn")
    return value


VoiceName = Annotated[Str, AfterValidator(_voice_name)]


@model
class VoiceConfig:
    """Spoken prompts (``kiosk.voice``): on by default in elder mode, never blocking the UI."""

    enabled: Bool = True  # False: the kiosk never speaks
    always: Bool = False  # True: speak in normal mode too, not only in elder mode
    muted: Bool = False  # the technician's quick switch (keeps the volume)
    volume: Annotated[Int, Field(ge=0, le=100)] = 80  # percent of the engine's loudest
    rate: Annotated[Int, Field(ge=80, le=300)] = 140  # words a minute; slow for the elderly
    voice: VoiceName = "cmn"  # espeak-ng's Mandarin voice


@model
class SyncConfig:
    """The hall server this kiosk reports to; ``url = ""`` means standalone."""

    url: Annotated[Str, AfterValidator(_optional_http_url)] = ""
    token: Str = ""  # this kiosk's token (kiosk hall kiosk add K03 prints it)
    token_file: Str = ""  # or a file holding the token (wins over token when set)
    interval_seconds: Annotated[Float, Field(ge=0.01, le=3600)] = 2.0
    request_timeout_seconds: Annotated[Float, Field(ge=0.1, le=600)] = 10.0
    max_backoff_seconds: Annotated[Float, Field(ge=0.1, le=86400)] = 300.0
    image_retention_days: Annotated[Float, Field(ge=0, le=3650)] = 0.0
    heartbeat_seconds: Annotated[Float, Field(ge=1, le=3600)] = 60.0

    @model_validator(mode="after")
    def _token_when_reporting(self) -> SyncConfig:
        if self.url and not (self.token or self.token_file):
            raise expected("token or token_file set when sync.url is set", field="token",
                           found=self.token)
        return self

    @property
    def standalone(self) -> bool:
        return not self.url


# ---- device settings: one model per kind; defaults here are the only copy ----

@model
class IdcardSettings(SettingsMapping):
    photo_decoder: Str | None = None  # path of the vendor's WLT photo library
    poll_interval: Annotated[Float, Field(gt=0, le=10)] = 0.1


@model
class ScannerSettings(SettingsMapping):
    suffix: Suffix = "cr"
    gap_ms: Annotated[Int, Field(ge=1, le=1000)] = 50
    max_key_gap_ms: Annotated[Int, Field(ge=1, le=1000)] = 30
    min_length: Annotated[Int, Field(ge=1, le=256)] = 4


@model
class CameraSettings(SettingsMapping):
    index: Annotated[Int, Field(ge=0, le=63)] | Text = 0  # a device number, path or URL
    width: Annotated[Int, Field(ge=160, le=7680)] = 1280
    height: Annotated[Int, Field(ge=120, le=4320)] = 720


@model
class PrinterProfileSettings(SettingsMapping):
    """What the receipt printer can do; ``drivers.printer.profile.PrinterProfile`` is this."""

    encoding: Encoding = "gb18030"
    chinese_mode: Bool = True  # wrap CJK runs in FS & ... FS . (printers that boot in ASCII mode)
    paper_width_mm: PaperWidth = 80
    qr_module_size: Annotated[Int, Field(ge=1, le=16)] = 6  # dots per QR module by default
    cut: CutMode = "partial"
    cut_feed_lines: Annotated[Int, Field(ge=0, le=255)] = 4  # lines from head to cutter blade


@model
class PrinterSettings(PrinterProfileSettings):
    out_dir: Str | None = None  # simulator: where printouts go (default <data_dir>/printouts)
    print_seconds: Annotated[Float, Field(ge=0, le=60)] = 0.0  # simulator: time per ticket


@model
class LockerSettings(SettingsMapping):
    board: Annotated[Int, Field(ge=0, le=255)] = 1
    doors: Annotated[Int, Field(ge=1, le=128)] | None = None  # None: the protocol's default
    open_bit: OpenBit = 1
    retries: Annotated[Int, Field(ge=0, le=10)] = 3
    addressing: Addressing = "board_high_nibble"


# The settings model of each kind of device (the factory validates hand-built configs with it).
SETTINGS_MODELS: dict[str, type[SettingsMapping]] = {
    "idcard": IdcardSettings, "scanner": ScannerSettings, "camera": CameraSettings,
    "printer": PrinterSettings, "locker": LockerSettings,
}


@model
class DeviceConfig:
    """One device. ``driver = "simulated"`` selects the simulator; otherwise the real driver
    named here talks to ``port`` (a device path, a pseudo-terminal or a pyserial URL)."""

    driver: Str = "simulated"
    port: Str = ""
    baud: Baud = 9600
    timeout: Seconds = 1.0
    enabled: Bool = True
    # a plain table here; each kind below narrows it to its own settings model
    settings: dict[Str, object] = Field(default_factory=dict)


@model
class IdcardDevice(DeviceConfig):
    settings: IdcardSettings = Field(default_factory=IdcardSettings)


@model
class ScannerDevice(DeviceConfig):
    settings: ScannerSettings = Field(default_factory=ScannerSettings)


@model
class CameraDevice(DeviceConfig):
    settings: CameraSettings = Field(default_factory=CameraSettings)


@model
class PrinterDevice(DeviceConfig):
    settings: PrinterSettings = Field(default_factory=PrinterSettings)

    @model_validator(mode="after")
    def _network_port(self) -> PrinterDevice:
        if self.driver == "network":
            host, _, port = self.port.rpartition(":")
            ok = bool(host) and port.isdigit() and 1 <= int(port) <= 65535
            if not ok and not (self.port and ":" not in self.port):
                raise expected("host:port with a port from 1 to 65535", field="port",
                               found=self.port)
        return self


# What each lock-board protocol can address (drivers/locker/protocol_*.py say why).
LOCKER_LIMITS: dict[str, tuple[int, int]] = {"8a": (255, 24), "kerong": (15, 16)}  # board, doors


@model
class LockerDevice(DeviceConfig):
    settings: LockerSettings = Field(default_factory=LockerSettings)

    @model_validator(mode="after")
    def _board_can_address_it(self) -> LockerDevice:
        if self.driver not in LOCKER_LIMITS:
            return self
        max_board, max_doors = LOCKER_LIMITS[self.driver]
        s = self.settings
        if self.driver == "kerong" and s.addressing == "lock_only":
            max_board = 255
        if s.board > max_board:
            raise expected(f"a board address from 0 to {max_board} for driver {self.driver}",
                           field="settings.board", found=s.board)
        if s.doors is not None and s.doors > max_doors:
            raise expected(f"at most {max_doors} doors on one {self.driver} board",
                           field="settings.doors", found=s.doors)
        return self


@model
class DevicesConfig:
    idcard: IdcardDevice = Field(default_factory=IdcardDevice)
    scanner: ScannerDevice = Field(default_factory=ScannerDevice)
    camera: CameraDevice = Field(default_factory=CameraDevice)
    printer: PrinterDevice = Field(default_factory=PrinterDevice)
    locker: LockerDevice = Field(default_factory=LockerDevice)

    @model_validator(mode="after")
    def _known_drivers(self) -> DevicesConfig:
        for kind, choices in DRIVERS.items():
            driver = getattr(self, kind).driver
            if driver not in choices:
                raise expected("one of " + ", ".join(choices), field=f"{kind}.driver",
                               found=driver)
        return self


@model
class ProgressConfig:
    """Progress lookup (办件查询): how long a citizen waits for the hall server, and how long the
    last known state of a case is kept for lookups while the server cannot be reached."""

    lookup_timeout_seconds: Annotated[Float, Field(ge=0.2, le=30)] = 3.0
    cache_days: Annotated[Int, Field(ge=0, le=3650)] = 30


@model
class CalendarConfig:
    """The hall's working days beyond Monday–Friday: public holidays off, make-up days (调休) on.
    Used for promised completion dates and the day/night schedule."""

    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarConfig:
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise expected("a day listed either as a holiday or as a make-up working day",
                           field="workdays", found=both[0].isoformat())
        return self


# ---- the document locker cabinet and the hall's day/night schedule ----

LOCKER_SIZES = "SML"  # small, medium, large compartments
# Doors a board of each driver has when ``settings.doors`` is not given (the protocol's default).
DEFAULT_DOORS: dict[str, int] = {"8a": 24, "kerong": 16, "simulated": 24}


def _column(value: str) -> str:
    if not value or any(ch not in LOCKER_SIZES for ch in value):
        raise expected('compartment sizes top to bottom, letters S, M or L (such as "SSSMML")')
    return value


Column = Annotated[Str, AfterValidator(_column)]


@model
class CabinetConfig:
    """One cabinet: its columns left to right, each a string of sizes from top to bottom.
    Compartments are numbered down each column, cabinet after cabinet, starting at 1, and take
    the lock-board doors in the same order ([devices.locker]'s board, then [[locker.boards]])."""

    name: Code
    columns: Annotated[list[Column], Field(min_length=1, max_length=20)]


@model
class LockerConfig:
    keeping_days: Annotated[Int, Field(ge=1, le=60)] = 7  # a pickup code expires after this
    door_open_alert_seconds: Annotated[Int, Field(ge=10, le=3600)] = 120
    # wrong codes from this kiosk before its keypad rests, and for how long
    kiosk_max_failures: Annotated[Int, Field(ge=1, le=100)] = 10
    kiosk_lockout_seconds: Annotated[Int, Field(ge=10, le=86400)] = 900
    # a right code with the wrong ID card: that code rests after this many
    code_max_failures: Annotated[Int, Field(ge=1, le=20)] = 3
    code_lockout_seconds: Annotated[Int, Field(ge=10, le=86400)] = 1800
    staff_max_failures: Annotated[Int, Field(ge=1, le=20)] = 5
    staff_lockout_seconds: Annotated[Int, Field(ge=10, le=86400)] = 600
    # service items whose result is handed out only to the applicant's own ID card (licences,
    # certificates): a pickup code alone does not open their compartment
    id_check_items: list[Text] = Field(default_factory=lambda: [
        "business-licence", "employment-certificate", "real-estate-registration"])
    # [] (the default): one cabinet "A" laid out from the boards' doors, columns of "SSSMML"
    cabinets: Annotated[list[CabinetConfig], Field(max_length=20)] = Field(default_factory=list)
    boards: Annotated[list[LockerDevice], Field(max_length=15)] = Field(default_factory=list)

    @property
    def compartments(self) -> int:
        return sum(len(col) for cab in self.cabinets for col in cab.columns)


def _period(value: str) -> str:
    m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)", value)
    if not m or (m[1], m[2]) >= (m[3], m[4]) or (m[3] == "24" and m[4] != "00"):
        raise expected('spans like "09:00-12:00" (opening before closing)')
    return value


HallPeriod = Annotated[Str, AfterValidator(_period)]
Periods = Annotated[list[HallPeriod], Field(max_length=6)]
Opening = one_of("hall", "always")
_HALL_DAY = ["09:00-12:00", "13:30-17:00"]


@model
class ScheduleConfig:
    """The hall's hours per weekday (holidays closed and make-up working days open, from
    [calendar]) and, per home capability, whether it follows them ("hall") or runs 24 hours
    ("always"); a capability not named runs 24 hours."""

    mon: Periods = Field(default_factory=lambda: list(_HALL_DAY))
    tue: Periods = Field(default_factory=lambda: list(_HALL_DAY))
    wed: Periods = Field(default_factory=lambda: list(_HALL_DAY))
    thu: Periods = Field(default_factory=lambda: list(_HALL_DAY))
    fri: Periods = Field(default_factory=lambda: list(_HALL_DAY))
    sat: Periods = Field(default_factory=list)
    sun: Periods = Field(default_factory=list)
    makeup_day: Periods = Field(default_factory=lambda: list(_HALL_DAY))  # 调休 working days
    capabilities: dict[Code, Opening] = Field(default_factory=lambda: {
        "queue": "hall", "guide": "always", "submit": "always", "progress": "always",
        "locker": "always", "rating": "always"})


@model
class SubmissionConfig:
    """Self-service submission (自助申报): deadlines it promises and how it photographs."""

    # 容缺受理: a material filed later under a commitment is due this many working days on.
    owed_working_days: Annotated[Int, Field(ge=1, le=60)] = 5
    # A case of the same person and item counts as still open this many days after its
    # promised date (the kiosk cannot know the server's status when offline).
    open_case_days: Annotated[Int, Field(ge=0, le=365)] = 30
    max_pages_per_material: Annotated[Int, Field(ge=1, le=20)] = 10
    jpeg_quality: Annotated[Int, Field(ge=50, le=95)] = 85
    # No frame from the camera for this long while capturing: the camera has failed.
    camera_silent_seconds: Annotated[Float, Field(gt=0, le=60)] = 3.0
    steady_frames: Annotated[Int, Field(ge=1, le=60)] = 6


@model
class MaintenanceConfig:
    """The technician's mode: PIN attempts and lockout, the paper roll, how much log to show."""

    pin_attempts: Annotated[Int, Field(ge=1, le=20)] = 5  # wrong PINs in a row before lockout
    lockout_seconds: Annotated[Int, Field(ge=10, le=86400)] = 300
    roll_length_m: Annotated[Float, Field(gt=0, le=500)] = 50.0  # a new roll of receipt paper
    low_paper_m: Annotated[Float, Field(ge=0, le=500)] = 5.0  # warn when this much is left
    log_lines: Annotated[Int, Field(ge=10, le=2000)] = 200  # recent log lines on screen


@model
class HealthConfig:
    """How the kiosk watches its own database and disk (``kiosk.health_watch``), and how long
    it keeps personal data (masked names, person hashes) of tickets and appointments."""

    probe_seconds: Annotated[Float, Field(ge=1, le=600)] = 10.0
    db_timeout_seconds: Annotated[Float, Field(ge=0.5, le=60)] = 5.0
    min_free_mb: Annotated[Int, Field(ge=0, le=1_000_000)] = 200
    personal_data_days: Annotated[Int, Field(ge=1, le=3650)] = 30


@model
class Config:
    hall: HallConfig
    kiosk: KioskConfig
    timeouts: TimeoutsConfig = Field(default_factory=TimeoutsConfig)
    green_channel: GreenChannelConfig = Field(default_factory=GreenChannelConfig)
    devices: DevicesConfig = Field(default_factory=DevicesConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    submission: SubmissionConfig = Field(default_factory=SubmissionConfig)
    progress: ProgressConfig = Field(default_factory=ProgressConfig)
    locker: LockerConfig = Field(default_factory=LockerConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)

    @property
    def locker_doors(self) -> int:
        """Doors of every configured lock board ([devices.locker] and [[locker.boards]])."""
        boards = [self.devices.locker, *self.locker.boards]
        return sum(b.settings.doors or DEFAULT_DOORS.get(b.driver, 24) for b in boards)

    @model_validator(mode="after")
    def _cabinet_fits_the_boards(self) -> Config:
        doors = self.locker_doors
        if self.devices.locker.enabled and self.locker.compartments > doors:
            raise expected(f"at most {doors} compartments (the doors of the configured lock "
                           f"boards)", field="locker.cabinets", found=self.locker.compartments)
        return self
    maintenance: MaintenanceConfig = Field(default_factory=MaintenanceConfig)
    voice: VoiceConfig = Field(default_factory=VoiceConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)

