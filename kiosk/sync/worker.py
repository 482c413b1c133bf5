"""``SyncWorker``: drains the outbox to the hall server and posts the kiosk's heartbeat.

One pass: pick what is due (oldest first, one message per record at a time), claim it, post up
to ``PARALLEL`` messages at once over one keep-alive client, then write every outcome in one
transaction. Delivered (2xx or a replay of the first answer) → marked sent, images removed per
``[sync] image_retention_days``. Refused for good (4xx other than 401/408/429, no route, image
missing) → parked with an alert, the rest keeps flowing. 5xx/408 → this message waits (backoff
with jitter). Network failure, timeout, 429, 502–504 → the whole sender waits; 401 → the sender
waits and raises an alert (the token), nothing is parked.

With no hall server configured (``[sync] url = ""``) the worker does nothing and says so.
It must never mark a message sent before the server confirmed it, never send while a database
transaction is open, and never let its thread die unreported.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from config.schema import Config
from kiosk.alerts import AlertNote, clear_alerts, raise_alert
from kiosk.clock import Clock, utc_now
from kiosk.sync.client import Answer, HallClient, Verdict
from kiosk.sync.heartbeat import heartbeat_body
from kiosk.sync.images import remove_delivered_images
from kiosk.sync.outbox import Claimed, Outbox, Settlement
from kiosk.sync.routes import CASE_CREATED, UnsendableMessage, build_request
from kiosk.sync.settings import sync_settings

log = logging.getLogger(__name__)

PARALLEL = 3  # requests in flight at once, always for different records
BATCH = 24  # messages claimed per pass
SWEEP_PERIOD_S = 60.0  # how often delivered images past their retention are looked for
CLAIMS_CHECK_PERIOD_S = 60.0  # how often claims of killed senders on this machine are adopted
SYNC_UNAUTHORIZED = "sync.unauthorized"
SYNC_PARKED = "sync.parked"

AlertSink = Callable[[str, str, str], None]  # kind, message (en), message (zh)


@dataclass(frozen=True)
class SyncStatus:
    configured: bool
    pending: int
    parked: int
    oldest_pending_age_s: float | None
    last_sync: datetime | None  # the last confirmed delivery (any sender)
    last_error: str | None

    def to_json(self) -> dict[str, object]:
        """The contract's ``kiosk sync status --json`` document."""
        return {"pending": self.pending, "parked": self.parked,
                "oldest_pending_age_s": self.oldest_pending_age_s,
                "configured": self.configured,
                "last_sync": self.last_sync.isoformat() if self.last_sync else None}


def backoff(failures: int, base: float, cap: float) -> float:
    """Exponential with jitter: base·2^(n−1), capped, then scaled by a random 50–100 %, so a
    hall of kiosks coming back from one outage does not knock all at the same instant."""
    return min(cap, base * 2 ** min(max(failures, 1) - 1, 30)) * (0.5 + 0.5 * random.random())


class SyncWorker:
    def __init__(self, engine: Engine, config: Config, clock: Clock, *,
                 health: Callable[[], dict[str, Any]] | None = None,
                 alerts: AlertSink | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = sync_settings(config)  # ConfigError on a bad [sync]
        self.kiosk_id = config.kiosk.id
        self._health = health
        self._alerts = alerts
        # a hall's shared database: another kiosk's case images are not on this disk
        self._owner = self.kiosk_id if engine.dialect.name != "sqlite" else None
        self._outbox = Outbox(engine, kiosk_id=self._owner)
        self._client: HallClient | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pass_lock = threading.Lock()
        self._failures = 0  # passes in a row that delivered nothing and met a failure
        self._paused_until = 0.0  # time.monotonic()
        self._last_error: str | None = None
        self._unauthorized = False
        self._next_claims_check = 0.0  # time.monotonic(): look for claims of dead senders
        self.last_heartbeat: datetime | None = None
        self.loop_turns = 0  # the running worker's finished turns (maintenance screen, tests)
        self.server_time: str | None = None

    @property
    def configured(self) -> bool:
        return self.settings is not None

    # ---- lifecycle ----
    def start(self) -> None:
        if self.settings is None:
            log.info("sync: no hall server configured ([sync] url is empty); standalone kiosk")
            return
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._pass_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._client is not None:
                self._client.close()
                self._client = None

    def notify(self) -> None:
        """A record was just written: try now instead of at the next interval."""
        self._wake.set()

    # ---- the technician's numbers ----
    def status(self) -> SyncStatus:
        depth = self._outbox.depth()
        age = None
        if depth.oldest_pending_at is not None:
            age = round(max(0.0, (utc_now(self.clock) - depth.oldest_pending_at)
                            .total_seconds()), 1)
        return SyncStatus(self.configured, depth.pending, depth.parked, age, depth.last_sync,
                          self._last_error or depth.oldest_error)

    # ---- sending ----
    def run_once(self) -> int:
        """One pass; returns how many messages the server confirmed. Does nothing while the
        sender waits after a failure, or when no hall server is configured."""
        if self.settings is None:
            return 0
        with self._pass_lock:
            if time.monotonic() < self._paused_until:
                return 0
            return self._pass()

    def drain(self, timeout_s: float) -> bool:
        """Send until nothing is pending (True) or ``timeout_s`` ran out first (False).
        Parked messages are not pending: they wait for a technician."""
        deadline = time.monotonic() + timeout_s
        while True:
            sent = self.run_once()
            if self._outbox.depth().pending == 0:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.settings is None:
                return False
            if sent:
                continue
            wait = max(self.settings.interval_s, self._paused_until - time.monotonic())
            if self._stop.wait(min(wait, remaining)):
                return False

    def _pass(self) -> int:
        assert self.settings is not None
        now = utc_now(self.clock)
        lease = timedelta(seconds=max(30.0, 3 * self.settings.request_timeout_s))
        if time.monotonic() >= self._next_claims_check:
            self._outbox.adopt_dead_claims(now, lease)
            self._next_claims_check = time.monotonic() + CLAIMS_CHECK_PERIOD_S
        claimed = self._outbox.claim(self._outbox.due(now, BATCH), now, lease)
        if not claimed:
            return 0
        abort = threading.Event()
        client = self._http()  # made here, under the pass lock, never by two senders at once
        answers = list(self._executor().map(lambda m: self._deliver(client, m, abort),
                                            claimed))
        return self._settle(claimed, answers)

    def _deliver(self, client: HallClient, message: Claimed,
                 abort: threading.Event) -> Answer | None:
        if abort.is_set():
            return None  # the server is unreachable: not attempted, released untouched
        try:
            request = build_request(message.kind, message.payload,
                                    message.created_at.isoformat(), message.idempotency_key)
        except UnsendableMessage as exc:
            return Answer(Verdict.PARK, None, None, f"not sendable: {exc}")
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # a payload not shaped as its kind says: retrying cannot fix it
            return Answer(Verdict.PARK, None, None,
                          f"not sendable: malformed {message.kind} payload "
                          f"({type(exc).__name__})")
        try:
            answer = client.send(request)
        except Exception as exc:  # a bug or a disk fault mid-upload: retry later, say why
            log.exception("sync: sending outbox message %d failed", message.id)
            return Answer(Verdict.RETRY, None, None, f"kiosk error while sending: {_describe(exc)}")
        if answer.verdict.server_level:
            abort.set()
        return answer

    def _settle(self, claimed: list[Claimed], answers: list[Answer | None]) -> int:
        assert self.settings is not None
        now = utc_now(self.clock)
        s = Settlement()
        server_level: Answer | None = None
        errors: list[str] = []
        for message, answer in zip(claimed, answers, strict=True):
            if answer is None:
                s.released.append(message.id)
                continue
            if answer.verdict is Verdict.DELIVERED:
                s.delivered.append((message.id, answer.body, message.kind == CASE_CREATED))
                continue
            error = answer.error or answer.verdict.value
            errors.append(error)
            if answer.verdict is Verdict.PARK:
                if answer.status == 409 and message.attempts > 0:
                    # the server's inbox is per kiosk: a row first sent by another sender (a
                    # kiosk that died mid-send) is refused here though the hall may have it
                    error += ("; tried before, possibly stored already under another kiosk's "
                              "token: check the hall before sending it again")
                s.parked.append((message.id, error))
                log.warning("sync: outbox message %d (%s) refused for good, parked: %s",
                            message.id, message.kind, error)
            elif answer.verdict is Verdict.RETRY:
                delay = backoff(message.attempts + 1, self.settings.interval_s,
                                self.settings.max_backoff_s)
                s.retry.append((message.id, error, now + timedelta(seconds=delay)))
            else:
                s.failed.append((message.id, error))
                server_level = server_level or answer
        self._outbox.settle(s, now)
        self._after_pass(s, server_level, errors, now)
        return len(s.delivered)

    def _after_pass(self, s: Settlement, server_level: Answer | None, errors: list[str],
                    now: datetime) -> None:
        assert self.settings is not None
        if s.delivered:
            self._failures = 0
            self._last_error = None
            if self._unauthorized:
                self._unauthorized = False
                clear_alerts(self.engine, self.kiosk_id, [SYNC_UNAUTHORIZED], now)
            if self.settings.image_retention_s == 0 and any(f for _, _, f in s.delivered):
                remove_delivered_images(self.engine, now, timedelta(0), self._owner)
        if s.parked:
            kinds = ", ".join(sorted({str(e).split(":")[0] for _, e in s.parked}))
            self._alert(SYNC_PARKED,
                        f"sync: the hall server refused {len(s.parked)} record(s) for good "
                        f"({kinds}); they are parked: see `kiosk sync parked`",
                        "数据同步：服务器拒收部分记录，已暂存待处理，请技术人员检查")
        if errors:
            self._last_error = errors[0]
        if server_level is not None or (s.retry and not s.delivered):
            self._failures += 1
            delay = backoff(self._failures, self.settings.interval_s,
                            self.settings.max_backoff_s)
            if server_level is not None and server_level.retry_after_s is not None:
                delay = min(max(delay, server_level.retry_after_s), self.settings.max_backoff_s)
            self._paused_until = time.monotonic() + delay
            log.info("sync: hall server not taking records (%s); next try in %.1f s",
                     self._last_error, delay)
        if server_level is not None and server_level.verdict is Verdict.UNAUTHORIZED:
            self._token_refused()

    def _token_refused(self) -> None:
        if not self._unauthorized:
            self._unauthorized = True
            log.error("sync: the hall server refused this kiosk's token (401); nothing is sent "
                      "until it is fixed ([sync] token / token_file)")
            self._alert(SYNC_UNAUTHORIZED,
                        "sync: the hall server refused this kiosk's token (401); check [sync] "
                        "token or token_file", "数据同步：服务器拒绝本机令牌，请检查同步设置")

    def _alert(self, kind: str, message: str, message_zh: str) -> None:
        try:
            if self._alerts is not None:
                self._alerts(kind, message, message_zh)
            else:
                raise_alert(self.engine, self.kiosk_id,
                            AlertNote(kind, message, message_zh, "error"), self.clock.now())
        except Exception:  # an alert that cannot be written must not stop the sending
            log.exception("sync: could not record the alert %s", kind)

    # ---- heartbeat and housekeeping ----
    def send_heartbeat(self) -> bool:
        """Post the latest state now; True when the server took it."""
        if self.settings is None:
            return False
        now = utc_now(self.clock)
        body = heartbeat_body(self.engine, self.kiosk_id, self._outbox.depth(), now,
                              self._health)
        answer = self._http().post_json("/heartbeat", body)
        if answer.verdict is Verdict.DELIVERED:
            self.last_heartbeat = now
            self.server_time = (answer.body or {}).get("server_time")
            return True
        if answer.verdict is Verdict.UNAUTHORIZED:
            self._token_refused()
        log.info("sync: heartbeat not taken (%s); again next period", answer.error)
        return False

    def sweep_images(self) -> int:
        """Delete material images delivered longer ago than the retention; returns how many."""
        if self.settings is None:
            return 0
        return remove_delivered_images(self.engine, utc_now(self.clock),
                                       timedelta(seconds=self.settings.image_retention_s),
                                       self._owner)

    def _run(self) -> None:
        assert self.settings is not None
        next_heartbeat = 0.0
        next_sweep = 0.0
        while not self._stop.is_set():
            delay = self.settings.interval_s
            try:
                mono = time.monotonic()
                if mono >= next_heartbeat:
                    next_heartbeat = mono + self.settings.heartbeat_s
                    self.send_heartbeat()
                if self.run_once():
                    delay = 0.0  # more may be due: the next messages of the same records
                if mono >= next_sweep:
                    next_sweep = mono + SWEEP_PERIOD_S
                    self.sweep_images()
            except Exception as exc:  # a thread never dies unreported: say why, wait, go on
                self._last_error = _describe(exc)
                if isinstance(exc, DBAPIError):
                    log.error("sync: database error: %s", self._last_error)
                else:
                    log.exception("sync: pass failed")
                self._failures += 1
                self._paused_until = time.monotonic() + backoff(
                    self._failures, self.settings.interval_s, self.settings.max_backoff_s)
            self.loop_turns += 1
            now = time.monotonic()
            wait = max(delay, self._paused_until - now) if delay else 0.0
            wait = min(wait, max(0.0, next_heartbeat - now))
            if wait > 0:
                self._wake.wait(wait)
            self._wake.clear()

    def _http(self) -> HallClient:
        if self._client is None:
            assert self.settings is not None
            self._client = HallClient(self.settings, connections=PARALLEL + 1)
        return self._client

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="sync-send")
        return self._pool


def _describe(exc: BaseException) -> str:
    # a DBAPIError's own text carries the statement's parameters (payloads): keep only the cause
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0][:300] if lines else ''}"
