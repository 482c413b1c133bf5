"""The hall server's settings: database, files folder, hall identity, follow-up deadlines.

Validated once at start (pydantic), from the command line and the same site file the kiosks read
(``kiosk --config``, via ``config.loader``), so the server and the kiosks agree on the hall code,
time zone, catalogue and hall secret. Never logs or prints the secret.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from kiosk.catalogue import Catalogue, load_catalogue

MiB = 1024 * 1024


class FollowUpDeadlines(BaseModel):
    """Bad-rating follow-up (好差评整改): local rules, so configuration, not code."""

    model_config = ConfigDict(frozen=True)

    contact_working_days: int = Field(1, ge=0, le=60)
    fix_working_days: int = Field(15, ge=0, le=365)
    holidays: tuple[str, ...] = ()  # ISO dates that are not working days


class HallSettings(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    db_url: str
    files_dir: Path
    hall_code: str
    hall_name: str = ""
    timezone: str = "Asia/Shanghai"
    catalogue_path: str = ""
    secret: bytes = Field(repr=False, min_length=16)
    followup: FollowUpDeadlines = FollowUpDeadlines()
    kiosk_silent_after_s: int = Field(300, ge=10)
    pickup_code_days: int = Field(7, ge=1, le=60)
    pickup_max_failures: int = Field(5, ge=1)  # wrong codes per kiosk before a lockout
    pickup_lockout_s: int = Field(300, ge=1)
    max_file_bytes: int = Field(10 * MiB, ge=1)
    max_parts: int = Field(40, ge=1)
    notify_file: Path | None = None  # default: <files_dir>/notifications.jsonl
    config_file: str | None = None  # the site file these settings came from (queue desk)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _catalogue(self) -> Catalogue:
        return load_catalogue(self.catalogue_path or None)

    def catalogue(self) -> Catalogue:
        return self._catalogue

    @property
    def notifications_path(self) -> Path:
        return self.notify_file or self.files_dir / "notifications.jsonl"

    @classmethod
    def load(cls, db_url: str, *, files_dir: str | Path | None = None,
             config_file: str | None = None, **overrides: object) -> HallSettings:
        """From the site file (``kiosk --config``; defaults otherwise) and the command line."""
        from kiosk.config import data_dir, load_config
        from kiosk.privacy import load_hall_secret

        config = load_config(config_file)
        secret = load_hall_secret(data_dir(config), config.hall.secret_file)
        files = Path(files_dir) if files_dir else data_dir(config) / "hall-files"
        values: dict[str, object] = dict(
            db_url=db_url, files_dir=files.resolve(), hall_code=config.hall.code,
            hall_name=config.hall.name, timezone=config.hall.timezone,
            catalogue_path=config.kiosk.catalogue, secret=secret, config_file=config_file)
        values.update(overrides)
        return cls(**values)
