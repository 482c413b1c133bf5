"""A kiosk process for the kill -9 test: issues tickets forever, printing each number only after
its transaction committed. Run as ``python -m tests.core.issuer_child DB_URL``."""

from __future__ import annotations

import sys

from kiosk.catalogue import load_catalogue
from kiosk.config import load_config
from kiosk.queue import QueueService
from kiosk.storage import make_engine, migrate


def main(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    service = QueueService(engine, load_catalogue().without_limits(), load_config(None),
                           secret=b"durability-test-secret-000000000")
    print("ready", flush=True)
    while True:
        ticket = service.issue_ticket("unemployment-registration")
        print(ticket.number, flush=True)  # the screen would show it now


if __name__ == "__main__":
    main(sys.argv[1])
