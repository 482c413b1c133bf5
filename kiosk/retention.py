"""Forget people after the retention period: masked names and person hashes leave the kiosk.

A ticket needs its ``person_hash`` (per-person daily limits, check-in by ID) and ``masked_name``
on the day it is issued, and the outbox needs its payload until the hall server confirmed it.
After ``health.personal_data_days`` neither is needed on the kiosk: tickets and appointments of
earlier service days keep their numbers and times (counters, statistics) but lose both personal
fields, and delivered outbox records are deleted (the hall server keeps the hall's copy) —
except a submitted case whose material images are still on disk, which the image sweep
(``[sync] image_retention_days``) must find first.

Must never touch an undelivered or parked record, a ticket of the retention window, or anything
on the hall server; never logs what it removes, only how many.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, delete, or_, update

from kiosk.storage.models import Appointment, OutboxMessage, Ticket
from kiosk.sync.routes import CASE_CREATED  # its images are removed by kiosk.sync.images first

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    tickets: int
    appointments: int
    outbox: int


def purge_personal_data(engine: Engine, *, today: date, now: datetime, days: int) -> Purged:
    """Clear the personal fields of tickets and appointments of service days more than
    ``days`` before ``today`` (the hall's date) and delete outbox records delivered more than
    ``days`` before ``now`` (aware UTC). Returns how many rows each step changed."""
    first_kept = today - timedelta(days=days)
    cutoff = now - timedelta(days=days)
    with engine.begin() as conn:
        tickets = conn.execute(
            update(Ticket).where(Ticket.service_date < first_kept, or_(
                Ticket.person_hash.is_not(None), Ticket.masked_name.is_not(None)))
            .values(person_hash=None, masked_name=None)).rowcount
        appointments = conn.execute(
            update(Appointment).where(Appointment.service_date < first_kept, or_(
                Appointment.person_hash.is_not(None), Appointment.masked_name.is_not(None)))
            .values(person_hash=None, masked_name=None)).rowcount
        outbox = conn.execute(
            delete(OutboxMessage).where(
                OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff,
                or_(OutboxMessage.kind != CASE_CREATED,
                    OutboxMessage.files_removed_at.is_not(None)))).rowcount
    if tickets or appointments or outbox:
        log.info("retention: personal data cleared from %d tickets and %d appointments, %d "
                 "delivered records deleted (older than %d days)", tickets, appointments,
                 outbox, days)
    return Purged(tickets, appointments, outbox)
