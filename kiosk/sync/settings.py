"""The ``[sync]`` settings as the sender uses them: the server's base URL and the kiosk's token.

``url = ""`` means the kiosk works alone: ``sync_settings`` returns None and no sender runs.
``token_file`` wins over ``token``. Bad values end in one ``ConfigError`` line naming the key.
Never logs, prints or puts the token into an error message: it is the kiosk's credential.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from config.schema import Config
from kiosk.config import ConfigError

API_PREFIX = "/api/v1"
_SITE = "the site file"


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


def is_configured(config: Config) -> bool:
    return bool(config.sync.url.strip())


def sync_settings(config: Config) -> SyncSettings | None:
    """The validated settings, or None when no hall server is configured (standalone kiosk)."""
    s = config.sync
    url = s.url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(_SITE, "sync.url", repr(url),
                          "http://host[:port] or https://host[:port] of the hall server")
    base = url.rstrip("/")
    base = base.removesuffix(API_PREFIX)
    for key, value, low in (("sync.interval_seconds", s.interval_seconds, 0.01),
                            ("sync.request_timeout_seconds", s.request_timeout_seconds, 0.1),
                            ("sync.max_backoff_seconds", s.max_backoff_seconds, 0.01),
                            ("sync.heartbeat_seconds", s.heartbeat_seconds, 1.0),
                            ("sync.image_retention_days", s.image_retention_days, 0.0)):
        if not math.isfinite(value) or value < low:
            raise ConfigError(_SITE, key, repr(value), f"a number of at least {low:g}")
    return SyncSettings(
        base_url=base, token=_token(s.token, s.token_file), kiosk_id=config.kiosk.id,
        interval_s=s.interval_seconds, request_timeout_s=s.request_timeout_seconds,
        max_backoff_s=s.max_backoff_seconds,
        image_retention_s=s.image_retention_days * 86_400.0, heartbeat_s=s.heartbeat_seconds)


def _token(token: str, token_file: str) -> str:
    if token_file:
        path = Path(token_file)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(path, "sync.token_file", f"an unreadable file ({exc.strerror})",
                              "a readable file holding the kiosk token") from None
        except UnicodeDecodeError:
            raise ConfigError(path, "sync.token_file", "bytes that are not UTF-8 text",
                              "the kiosk token as text") from None
        if not text or len(text.splitlines()) != 1:
            raise ConfigError(path, "sync.token_file", "an empty file or several lines",
                              "one line: the kiosk token from `kiosk hall kiosk add`")
        return text
    token = token.strip()
    if not token:
        raise ConfigError(_SITE, "sync.token", "an empty token while sync.url is set",
                          "the kiosk token from `kiosk hall kiosk add` (or sync.token_file)")
    return token
