"""Telling an applicant something happened (ready for pickup, a new locker pickup code).

``Notifier`` is the interface; ``FileNotifier`` writes one JSON line per message to a file that
an SMS gateway (or an operator) reads; a real SMS gateway implements the same ``notify``. The
message is addressed by ``person_hash`` (the server never holds phone numbers or ID numbers).
A failing notifier must never undo the staff action that caused it: callers log and continue.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def notify(self, kind: str, case_number: str, person_hash: str, message_zh: str,
               data: dict[str, object]) -> None:
        """Deliver one message; raise OSError (or a subclass) when it could not be delivered."""
        ...


class FileNotifier:
    """JSON lines, appended with one ``write`` each, file mode 0600 (it may hold pickup codes:
    it is the delivery channel, like the SMS it stands for)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def notify(self, kind: str, case_number: str, person_hash: str, message_zh: str,
               data: dict[str, object]) -> None:
        line = json.dumps({"at": datetime.now(UTC).isoformat(), "kind": kind,
                           "case_number": case_number, "person_hash": person_hash,
                           "message_zh": message_zh, "data": data},
                          ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)


def deliver(notifier: Notifier | None, kind: str, case_number: str, person_hash: str,
            message_zh: str, data: dict[str, object]) -> bool:
    """Send, and report failure in the log (without the message, which may hold a code)."""
    if notifier is None:
        return False
    try:
        notifier.notify(kind, case_number, person_hash, message_zh, data)
    except OSError as exc:
        log.warning("notification %s for case %s not delivered: %s", kind, case_number,
                    exc.__class__.__name__)
        return False
    return True
