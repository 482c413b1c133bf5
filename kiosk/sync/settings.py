"""The ``[sync]`` settings as the sender uses them: the server's base URL and the kiosk's token.

``url = ""`` means the kiosk works alone: ``sync_settings`` returns None and no sender runs.
``token_file`` wins over ``token``. Bad values end in one ``ConfigError`` line naming the key.
Never logs, prints or puts the token into an error message: it is the kiosk's credential.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.schema import Config
from kiosk.config import sync_token

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class SyncSettings:
    base_url: str  # scheme://host[:port][/prefix], without a trailing slash or /api/v1
    token: str
    kiosk_id: str
    interval_s: float
    request_timeout_s: float
    max_backoff_s: float
    image_retention_s: float
    heartbeat_s: float

    def __repr__(self) -> str:  # never show the token, even in a debugger or a log line
        return f"SyncSettings(base_url={self.base_url!r}, kiosk_id={self.kiosk_id!r}, token=***)"


def sync_settings(config: Config) -> SyncSettings | None:
    """The validated settings, or None when no hall server is configured (standalone kiosk)."""
    s = config.sync
    if s.standalone:
        return None
    # config.schema already refused a bad URL, a missing token and out-of-range numbers.
    return SyncSettings(
        base_url=s.url.strip().rstrip("/").removesuffix(API_PREFIX),
        token=sync_token(config).strip(), kiosk_id=config.kiosk.id,
        interval_s=s.interval_seconds, request_timeout_s=s.request_timeout_seconds,
        max_backoff_s=s.max_backoff_seconds,
        image_retention_s=s.image_retention_days * 86_400.0, heartbeat_s=s.heartbeat_seconds)
