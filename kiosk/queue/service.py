"""Taking a number (取号): issuing tickets, the green channel, limits and appointment check-in.

``QueueService`` is the one issuing entry point the queue flow (``kiosk.flows.queue``), the
``kiosk queue`` command and the hall server all use; the windows' side is ``CounterService``.
A ticket, its number and its outbox row are committed in one transaction *before* anything is
printed, so printer trouble never loses a ticket. Refusals are ``QueueRefusal`` subclasses with
words for the citizen. Never stores or returns a clear ID number.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Select, bindparam, extract, func, select, update

from config.schema import Config
from kiosk.catalogue import Catalogue, Category, ServiceItem
from kiosk.clock import Clock, SystemClock, local_now
from kiosk.config import data_dir
from kiosk.i18n import Names
from kiosk.outbox import Outbox
from kiosk.privacy import id_hash, load_hall_secret, mask_name
from kiosk.queue import appointments
from kiosk.queue.errors import (
    AppointmentAlreadyUsed,
    AppointmentTooEarly,
    AppointmentTooLate,
    DailyCapacityReached,
    PersonalLimitReached,
    ServiceClosed,
    UnknownGroup,
    UnknownItem,
)
from kiosk.queue.numbering import (
    NO_FLUSH_WAIT,
    defers_flush,
    insert_numbered_ticket,
    ticket_transaction,
)
from kiosk.queue.tickets import IssuedTicket, WaitEstimate
from kiosk.storage.models import Appointment, DailySequence, Ticket, TicketStatus
from kiosk.tokens import ticket_token

RECENT_SERVICE_TIMES = 10  # finished tickets the wait estimate averages over

# Statements on the tap-to-ticket path are built once with bound parameters: building them per
# ticket cost more than executing them.
_T = Ticket.__table__
_S = DailySequence.__table__
_TODAY = (_T.c.hall == bindparam("hall")) & (_T.c.service_date == bindparam("day"))
_COUNT = select(func.count()).select_from(_T)
_COUNT_ITEM = _COUNT.where(_TODAY, _T.c.item_id == bindparam("item"))
_COUNT_PERSON_ITEM = _COUNT_ITEM.where(_T.c.person_hash == bindparam("person"))
_COUNT_PERSON_CATEGORY = _COUNT.where(_TODAY, _T.c.person_hash == bindparam("person"),
                                      _T.c.category == bindparam("category"))
# The three limit counts in one round trip (a count that does not apply is simply not compared).
_LIMIT_COUNTS = select(_COUNT_ITEM.scalar_subquery().label("item"),
                       _COUNT_PERSON_ITEM.scalar_subquery().label("person_item"),
                       _COUNT_PERSON_CATEGORY.scalar_subquery().label("person_category"))
# PostgreSQL: the citizen's and the item's transaction locks, taken before the limit counts so the
# counts see every committed ticket of that person / item (see ``_check_limits``).
_LOCK_KEYS = {n: select(*(func.pg_advisory_xact_lock(bindparam(f"k{i}")) for i in range(n)))
              for n in (1, 2)}
_WAITING = _COUNT.where(_TODAY, _T.c.category == bindparam("category"),
                        _T.c.status == TicketStatus.WAITING.value)
_WAITING_PRIORITY = _WAITING.where(_T.c.priority.is_(True))
# The prefix's last number in the same snapshot as the waiting count: the numbers between it and
# ours were issued by other kiosks meanwhile and are ahead of us too.
_LAST_SEQ = (select(_S.c.last_seq)
             .where(_S.c.hall == bindparam("hall"), _S.c.service_date == bindparam("day"),
                    _S.c.prefix == bindparam("prefix")).scalar_subquery())
_RECENT_DONE = (
    select(_T.c.called_at, _T.c.finished_at)
    .where(_TODAY, _T.c.category == bindparam("category"),
           _T.c.status == TicketStatus.DONE.value, _T.c.called_at.is_not(None),
           _T.c.finished_at.is_not(None))
    .order_by(_T.c.finished_at.desc()).limit(RECENT_SERVICE_TIMES))


def _queue_statement(dialect: str, priority: bool, no_flush_wait: bool) -> Select[Any]:
    """One round trip before the number: people ahead, the prefix's last number and the mean
    service seconds of the last finished tickets (NULL when none). On PostgreSQL inside
    ``ticket_transaction`` it also sets the commit not to wait for the disk (see numbering)."""
    recent = _RECENT_DONE.subquery()
    if dialect == "postgresql":
        seconds = extract("epoch", recent.c.finished_at - recent.c.called_at)
    else:
        seconds = (func.julianday(recent.c.finished_at)
                   - func.julianday(recent.c.called_at)) * 86400.0
    columns = [(_WAITING_PRIORITY if priority else _WAITING).scalar_subquery(),
               func.coalesce(_LAST_SEQ, 0), select(func.avg(seconds)).scalar_subquery()]
    if no_flush_wait:
        columns.append(NO_FLUSH_WAIT)
    return select(*columns)


_QUEUE = {(dialect, priority, no_wait): _queue_statement(dialect, priority, no_wait)
          for dialect in ("postgresql", "sqlite") for priority in (False, True)
          for no_wait in (False, True) if dialect == "postgresql" or not no_wait}

class CardHolder(Protocol):
    """What issuing needs from a tapped ID card (``drivers.idcard.base.IdCard`` fits)."""

    id_number: str
    name: str
    birth_date: date


def _lock_key(hall: str, day: date, kind: str, name: str) -> int:
    """A signed 64-bit PostgreSQL advisory-lock key for one citizen or item on one day."""
    digest = hashlib.blake2b(f"{hall}|{day.isoformat()}|{kind}|{name}".encode(),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _names(thing: ServiceItem | Category) -> Names:
    """A catalogue name in both languages, for a refusal the citizen reads in either."""
    return Names(thing.name, thing.name_en or thing.name)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class QueueService:
    """Issuing, the wait estimate and appointment check-in. The counter side (call, recall,
    skip, done, status) is ``kiosk.queue.counter.CounterService``."""

    def __init__(self, engine: Engine, catalogue: Catalogue, config: Config,
                 clock: Clock | None = None, kiosk_id: str | None = None, *,
                 secret: bytes | None = None, outbox: Outbox | None = None) -> None:
        self.engine = engine
        self.catalogue = catalogue
        self.config = config
        self.hall = config.hall.code
        self.tz = ZoneInfo(config.hall.timezone)
        self.clock = clock or SystemClock(self.tz)
        self.kiosk_id = kiosk_id or config.kiosk.id
        self._secret = secret
        self.outbox = outbox or Outbox(self.hall)
        self.check_in_attempts = appointments.CheckInAttempts()  # codes cannot be guessed

    # ---- identities ----
    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_hall_secret(data_dir(self.config), self.config.hall.secret_file)
        return self._secret

    def person_hash(self, id_number: str) -> str:
        return id_hash(id_number, self.secret)

    def item(self, item_id: str) -> ServiceItem:
        try:
            return self.catalogue.item(item_id)
        except KeyError:
            raise UnknownItem(item_id) from None

    # ---- issuing ----
    def issue_ticket(self, item_id: str, *, card: CardHolder | None = None,
                     declared_group: str | None = None) -> IssuedTicket:
        """Issue and commit a ticket for ``item_id``; raises a ``QueueRefusal`` when refused.
        A ``PersonalLimitReached`` carries the citizen's latest ticket of today (``ticket``),
        as it stands now, so the screen can show it and offer a reprint."""
        item = self.item(item_id)
        local = local_now(self.clock, self.tz)
        if not item.schedule.is_open(local):
            raise ServiceClosed(_names(item), item.schedule.next_opening(local), local)
        reason = self.priority_reason(card, declared_group, local.date())
        person = self.person_hash(card.id_number) if card else None
        masked = mask_name(card.name) if card else None
        try:
            with ticket_transaction(self.engine) as conn:
                return self._insert_ticket(conn, item, local, reason, person, masked)
        except PersonalLimitReached as refusal:
            if person is not None:
                refusal.ticket = self.latest_ticket_of(person, local.date(), item)
            raise

    # ---- a ticket already taken, as it stands now ----
    def latest_ticket_of(self, person: str, day: date, item: ServiceItem) -> IssuedTicket | None:
        """The citizen's latest ticket of ``day`` for ``item`` (else its category), or None."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(Ticket).where(
                Ticket.hall == self.hall, Ticket.service_date == day,
                Ticket.person_hash == person, Ticket.category == item.category)
                .order_by(Ticket.seq.desc())).all()
            mine = [r for r in rows if r.item_id == item.id] or list(rows)
            return self._as_of_now(conn, mine[0]) if mine else None

    def ticket_now(self, ticket_id: str) -> IssuedTicket | None:
        """Today's ticket ``ticket_id`` (from its signed QR) with the people ahead as of now;
        None when unknown or not today's (an old paper ticket is no use in today's queue)."""
        day = local_now(self.clock, self.tz).date()
        with self.engine.connect() as conn:
            row = conn.execute(select(Ticket).where(
                Ticket.id == ticket_id, Ticket.hall == self.hall,
                Ticket.service_date == day)).first()
            return self._as_of_now(conn, row) if row is not None else None

    def _as_of_now(self, conn: Connection, row: Any) -> IssuedTicket:
        """``row`` (a tickets row) with the people ahead of it counted now."""
        item = self.catalogue.item(row.item_id)
        category = self.catalogue.category(row.category)
        ahead = 0
        if row.status == TicketStatus.WAITING.value:
            # called in order: priority tickets first, then by number
            earlier = Ticket.seq < row.seq
            before = (Ticket.priority.is_(True) & earlier) if row.priority \
                else (Ticket.priority.is_(True) | earlier)
            ahead = int(conn.execute(select(func.count()).select_from(Ticket).where(
                Ticket.hall == self.hall, Ticket.service_date == row.service_date,
                Ticket.category == row.category, Ticket.status == TicketStatus.WAITING.value,
                before)).scalar_one())
        minutes = self.mean_service_minutes(conn, category, row.service_date) if ahead else 0.0
        issued = row.issued_at if row.issued_at.tzinfo else row.issued_at.replace(tzinfo=UTC)
        return IssuedTicket(
            uuid=row.id, number=row.number, service_date=row.service_date,
            category=category.code, category_name=category.name,
            category_name_en=category.name_en, item_id=item.id, item_name=item.name,
            item_name_en=item.name_en, windows=item.windows, people_ahead=ahead,
            estimated_wait_minutes=self._estimate_wait(category, ahead, minutes),
            issued_at=issued.astimezone(self.tz), priority_reason=row.priority_reason,
            masked_name=row.masked_name, queue_url=self.ticket_page_url(row.id),
            rating_url=f"{self.config.hall.rating_url}?hall={self.hall}&t={row.id}")

    def priority_reason(self, card: CardHolder | None, declared_group: str | None,
                        today: date) -> str | None:
        """绿色通道: age from the card's birth date (never typed), else a declared group."""
        green = self.config.green_channel
        if declared_group is not None and declared_group not in green.groups:
            raise UnknownGroup(declared_group)
        if card is not None and age_on(card.birth_date, today) >= green.min_age:
            return "elderly"
        return declared_group

    def _insert_ticket(self, conn: Connection, item: ServiceItem, local: datetime,
                       reason: str | None, person: str | None, masked: str | None, *,
                       enforce_limits: bool = True,
                       appointment: Appointment | None = None) -> IssuedTicket:
        category = self.catalogue.category(item.category)
        day = local.date()
        priority = reason is not None
        # Everything that needs no lock comes first: the limits (exact without the prefix's lock,
        # see _check_limits) and the queue ahead. The number is taken last, in one statement
        # with the ticket's insert, so every kiosk of the hall waits for this one only during
        # that statement, the outbox row and the commit.
        if enforce_limits:
            self._check_limits(conn, item, category, day, person)
        ahead, seen_seq, minutes = self._queue_ahead(conn, category, day, priority)
        ticket_id = str(uuid.uuid4())
        at = local.astimezone(UTC)
        seq, number = insert_numbered_ticket(conn, dict(
            id=ticket_id, hall=self.hall, service_date=day, category=category.code,
            prefix=category.prefix, item_id=item.id, priority=priority,
            priority_reason=reason, person_hash=person, masked_name=masked,
            status=TicketStatus.WAITING.value, window_id=None, recalls=0, issued_at=at,
            called_at=None, finished_at=None, kiosk_id=self.kiosk_id,
            appointment_id=appointment.id if appointment else None))
        if not priority:
            # Numbers issued by other kiosks since our snapshot are waiting ahead of us as well
            # (numbers are gap-free and given in commit order). A priority ticket counts only
            # priority tickets ahead; those few are not known without a read under the lock.
            ahead += max(0, seq - 1 - seen_seq)
        wait = self._estimate_wait(category, ahead, minutes)
        ticket = IssuedTicket(
            uuid=ticket_id, number=number, service_date=day, category=category.code,
            category_name=category.name, category_name_en=category.name_en, item_id=item.id,
            item_name=item.name, item_name_en=item.name_en,
            # an appointment booked at a window is served there (seen: ignored on its ticket)
            windows=(appointment.window_id,) if appointment and appointment.window_id
            else item.windows,
            people_ahead=ahead, estimated_wait_minutes=wait, issued_at=local,
            priority_reason=reason, masked_name=masked,
            queue_url=self.ticket_page_url(ticket_id),
            rating_url=f"{self.config.hall.rating_url}?hall={self.hall}&t={ticket_id}",
            appointment_code=appointment.code if appointment else None)
        self.outbox.add(conn, f"ticket:{ticket_id}:issued", "ticket.issued",
                        self.issued_payload(ticket), at)
        return ticket

    def ticket_page_url(self, ticket_id: str) -> str:
        """What the ticket's QR opens: the hall server's page for this ticket (``/q/{token}``),
        the token signed with the hall secret so nobody can walk from one ticket to the next."""
        return f"{self.config.hall.queue_url.rstrip('/')}/{ticket_token(ticket_id, self.secret)}"

    def issued_payload(self, ticket: IssuedTicket) -> dict[str, object]:
        """What the hall platform learns about a new ticket (no personal data beyond the mask)."""
        return {"hall": self.hall, "kiosk": self.kiosk_id, **ticket.to_json()}

    def _check_limits(self, conn: Connection, item: ServiceItem, category: Category, day: date,
                      person: str | None) -> None:
        per_person = person is not None and bool(
            item.per_person_daily_limit or category.per_person_daily_limit)
        if not (item.daily_capacity or per_person):
            return
        if conn.dialect.name == "postgresql":
            # Two tickets for one citizen (or for one item with a capacity) must not both pass
            # the count: they queue on a transaction lock of their own, held to commit, and the
            # count (a new statement, so a new snapshot) then sees every earlier one. Kiosks
            # serving other citizens and items never wait for it. SQLite's BEGIN IMMEDIATE
            # already serialises every ticket.
            # Always the citizen's before the item's, so two such tickets never deadlock.
            keys = ([_lock_key(self.hall, day, "person", person or "")] if per_person else []) + (
                [_lock_key(self.hall, day, "item", item.id)] if item.daily_capacity else [])
            conn.execute(_LOCK_KEYS[len(keys)], {f"k{i}": key for i, key in enumerate(keys)})
        counts = conn.execute(_LIMIT_COUNTS, {
            "hall": self.hall, "day": day, "item": item.id, "person": person,
            "category": category.code}).one()
        if item.daily_capacity and counts.item >= item.daily_capacity:
            raise DailyCapacityReached(_names(item), item.daily_capacity)
        if person is None:
            return
        if item.per_person_daily_limit and counts.person_item >= item.per_person_daily_limit:
            raise PersonalLimitReached(item.per_person_daily_limit, _names(item))
        if (category.per_person_daily_limit
                and counts.person_category >= category.per_person_daily_limit):
            raise PersonalLimitReached(category.per_person_daily_limit, _names(category))

    def estimate(self, item_id: str, *, card: CardHolder | None = None,
                 declared_group: str | None = None, day: date | None = None) -> WaitEstimate:
        """People ahead and the wait a ticket taken now would show, by the same counting rules
        (a priority ticket counts only priority tickets ahead). Read-only: takes no number."""
        item = self.item(item_id)
        category = self.catalogue.category(item.category)
        day = day or local_now(self.clock, self.tz).date()
        reason = self.priority_reason(card, declared_group, day)
        with self.engine.connect() as conn:
            ahead = self._people_ahead(conn, category.code, day, reason is not None)
            minutes = self.mean_service_minutes(conn, category, day) if ahead else 0.0
        return WaitEstimate(ahead, self._estimate_wait(category, ahead, minutes), reason)

    def _people_ahead(self, conn: Connection, category: str, day: date, priority: bool) -> int:
        # A new ticket has the highest number of its prefix, so everyone waiting is ahead of a
        # regular ticket, and every waiting priority ticket is ahead of a priority one.
        stmt = _WAITING_PRIORITY if priority else _WAITING
        params = {"hall": self.hall, "day": day, "category": category}
        return int(conn.execute(stmt, params).scalar_one())

    def _queue_ahead(self, conn: Connection, category: Category, day: date,
                     priority: bool) -> tuple[int, int, float]:
        """(people ahead, the prefix's last number, minutes per ticket), one snapshot, one trip."""
        dialect = "postgresql" if conn.dialect.name == "postgresql" else "sqlite"
        stmt = _QUEUE[dialect, priority, dialect == "postgresql" and defers_flush(conn)]
        row = conn.execute(stmt, {"hall": self.hall, "day": day, "category": category.code,
                                  "prefix": category.prefix}).one()
        ahead, last_seq, seconds = row[0], row[1], row[2]
        if seconds is None:
            minutes = self.catalogue.average_minutes(category.code)
        else:  # to the millisecond, as the Python mean below would give it
            minutes = round(float(seconds), 3) / 60
        return int(ahead), int(last_seq), minutes

    def mean_service_minutes(self, conn: Connection, category: Category, day: date) -> float:
        """Mean call-to-finish time of the last finished tickets today, else the catalogue's."""
        rows = conn.execute(_RECENT_DONE, {"hall": self.hall, "day": day,
                                           "category": category.code}).all()
        if not rows:
            return self.catalogue.average_minutes(category.code)
        return sum((f - c).total_seconds() for c, f in rows) / len(rows) / 60

    def _estimate_wait(self, category: Category, ahead: int, minutes_per_ticket: float) -> int:
        if ahead == 0:
            return 0
        windows = max(1, len(category.windows))
        return math.ceil(ahead * minutes_per_ticket / windows)

    # ---- appointments ----
    def import_appointments(self, path: str | Path) -> appointments.ImportResult:
        rows = appointments.read_file(Path(path), self.catalogue)
        with self.engine.begin() as conn:
            return appointments.store(conn, rows, self.hall, self.person_hash,
                                      self.clock.now().astimezone(UTC))

    def check_in_appointment(self, code: str | None = None,
                             card: CardHolder | None = None) -> IssuedTicket:
        """Today's appointment, found by its QR code or by the ID card, becomes a priority
        ticket. Too early, too late, another day or not found: a refusal that says so."""
        if code is None and card is None:
            raise ValueError("check_in_appointment needs a code or a card")
        local = local_now(self.clock, self.tz)
        person = self.person_hash(card.id_number) if card else None
        with ticket_transaction(self.engine) as conn:
            appt = appointments.find(conn, self.hall, local.date(), code=code, person=person,
                                     attempts=self.check_in_attempts)
            rules = self.catalogue.appointments
            start = datetime.combine(appt.service_date, appt.slot_start, tzinfo=self.tz)
            end = datetime.combine(appt.service_date, appt.slot_end, tzinfo=self.tz)
            opens = start - timedelta(minutes=rules.check_in_early_minutes)
            closes = end + timedelta(minutes=rules.check_in_late_minutes)
            if local < opens:
                raise AppointmentTooEarly(opens, start)
            if local > closes:
                raise AppointmentTooLate(end, closes)
            masked = appt.masked_name or (mask_name(card.name) if card else None)
            ticket = self._insert_ticket(conn, self.item(appt.item_id), local, "appointment",
                                         appt.person_hash or person, masked,
                                         enforce_limits=False, appointment=appt)
            claimed = conn.execute(update(Appointment).where(
                Appointment.id == appt.id, Appointment.status == "booked").values(
                status="checked_in", ticket_id=ticket.uuid))
            if claimed.rowcount != 1:  # another kiosk checked it in a moment ago
                raise AppointmentAlreadyUsed(None)
            return ticket
