"""The counter side of the queue: call the next ticket, recall, skip (no-show), done, status.

Next ticket by the rules: priority tickets (green channel, appointments) first, then in number
order, only tickets for items this window serves (一窗通办: any comprehensive window of the
category). On PostgreSQL ``FOR UPDATE SKIP LOCKED`` keeps two windows pressing "next" at the same
moment from calling the same citizen. Every action is audited and (except a recall) sent to the
hall through the outbox in the same transaction. A plain service beside ``QueueService``: it
shares the database and the catalogue, never the issuing code. Never issues tickets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Row, insert, select, update

from config.schema import Config
from kiosk.catalogue import Catalogue, Window
from kiosk.clock import Clock, SystemClock, local_now
from kiosk.outbox import Outbox
from kiosk.queue.errors import NoCurrentTicket, NoTicketWaiting, UnknownWindow
from kiosk.queue.tickets import CalledTicket, CategoryStatus, QueueStatus
from kiosk.storage.models import AuditEntry, Ticket, TicketStatus

_WAITING, _CALLED = TicketStatus.WAITING.value, TicketStatus.CALLED.value


class CounterService:
    """The window clerk's calls; the same ones the hall server exposes over HTTP."""

    def __init__(self, engine: Engine, catalogue: Catalogue, config: Config,
                 clock: Clock | None = None, *, outbox: Outbox | None = None) -> None:
        self.engine = engine
        self.catalogue = catalogue
        self.hall = config.hall.code
        self.tz = ZoneInfo(config.hall.timezone)
        self.clock = clock or SystemClock(self.tz)
        self.outbox = outbox or Outbox(self.hall)

    def call_next(self, window_id: str) -> CalledTicket:
        """Finish the window's current ticket (if any) and call the next one."""
        window = self._window(window_id)
        served = [i.id for i in self.catalogue.items_served_at(window_id)]
        local = local_now(self.clock, self.tz)
        now = local.astimezone(UTC)
        with self.engine.begin() as conn:
            self._finish(conn, window_id, TicketStatus.DONE, now, required=False)
            row = conn.execute(
                select(Ticket).where(
                    Ticket.hall == self.hall, Ticket.service_date == local.date(),
                    Ticket.category == window.category, Ticket.status == _WAITING,
                    Ticket.item_id.in_(served))
                .order_by(Ticket.priority.desc(), Ticket.seq).limit(1)
                .with_for_update(skip_locked=True)).first()
            if row is not None:
                conn.execute(update(Ticket).where(Ticket.id == row.id).values(
                    status=_CALLED, window_id=window_id, called_at=now))
                self._record(conn, window_id, "queue.called", row, now)
        if row is None:  # raised after commit: the finished ticket above stays finished
            raise NoTicketWaiting(window_id)
        return self._called(row, window_id, _CALLED, row.recalls, now)

    def recall(self, window_id: str) -> CalledTicket:
        """Announce the current ticket again (the citizen has not come yet)."""
        self._window(window_id)
        now = self.clock.now().astimezone(UTC)
        with self.engine.begin() as conn:
            row = self._current(conn, window_id)
            if row is None:
                raise NoCurrentTicket(window_id)
            conn.execute(update(Ticket).where(Ticket.id == row.id).values(
                recalls=Ticket.recalls + 1))
            self._record(conn, window_id, "queue.recalled", row, now)
        return self._called(row, window_id, _CALLED, row.recalls + 1, row.called_at)

    def skip(self, window_id: str) -> CalledTicket:
        """The called citizen did not come: mark the ticket skipped (过号)."""
        return self._finish_now(window_id, TicketStatus.SKIPPED)

    def done(self, window_id: str) -> CalledTicket:
        """The citizen has been served."""
        return self._finish_now(window_id, TicketStatus.DONE)

    def status(self, day: date | None = None) -> QueueStatus:
        day = day or local_now(self.clock, self.tz).date()
        with self.engine.begin() as conn:
            rows = conn.execute(select(
                Ticket.category, Ticket.status, Ticket.priority, Ticket.number,
                Ticket.issued_at, Ticket.called_at).where(
                Ticket.hall == self.hall, Ticket.service_date == day)).all()
        out = []
        for cat in self.catalogue.categories:
            mine = [r for r in rows if r.category == cat.code]
            called = [r for r in mine if r.called_at is not None]
            waits = [(r.called_at - r.issued_at).total_seconds() / 60 for r in called]
            last = max(called, key=lambda r: r.called_at).number if called else None
            out.append(CategoryStatus(
                code=cat.code, name=cat.name, name_en=cat.name_en, prefix=cat.prefix,
                waiting=sum(r.status == _WAITING for r in mine),
                priority_waiting=sum(r.status == _WAITING and r.priority for r in mine),
                called=sum(r.status == _CALLED for r in mine),
                done=sum(r.status == TicketStatus.DONE.value for r in mine),
                skipped=sum(r.status == TicketStatus.SKIPPED.value for r in mine),
                average_wait_minutes=round(sum(waits) / len(waits), 1) if waits else None,
                last_called=last))
        return QueueStatus(self.hall, day, tuple(out))

    # ---- helpers ----
    def _window(self, window_id: str) -> Window:
        try:
            return self.catalogue.window(window_id)
        except StopIteration:
            raise UnknownWindow(window_id) from None

    def _current(self, conn: Connection, window_id: str) -> Row | None:
        return conn.execute(
            select(Ticket).where(Ticket.hall == self.hall, Ticket.window_id == window_id,
                                 Ticket.status == _CALLED)
            .order_by(Ticket.called_at.desc()).limit(1).with_for_update()).first()

    def _finish(self, conn: Connection, window_id: str, status: TicketStatus,
                now: datetime, *, required: bool) -> Row | None:
        row = self._current(conn, window_id)
        if row is None:
            if required:
                raise NoCurrentTicket(window_id)
            return None
        conn.execute(update(Ticket).where(Ticket.id == row.id).values(
            status=status.value, finished_at=now))
        self._record(conn, window_id, f"queue.{status.value}", row, now)
        return row

    def _finish_now(self, window_id: str, status: TicketStatus) -> CalledTicket:
        self._window(window_id)
        now = self.clock.now().astimezone(UTC)
        with self.engine.begin() as conn:
            row = self._finish(conn, window_id, status, now, required=True)
        assert row is not None  # required=True raised otherwise
        return self._called(row, window_id, status.value, row.recalls, row.called_at)

    def _record(self, conn: Connection, window_id: str, action: str, row: Row,
                now: datetime) -> None:
        detail = {"number": row.number, "ticket": row.id, "window": window_id}
        conn.execute(insert(AuditEntry).values(at=now, hall=self.hall, actor=window_id,
                                               action=action, subject=row.number,
                                               detail=detail))
        if action != "queue.recalled":
            event = action.removeprefix("queue.")
            self.outbox.add(conn, f"ticket:{row.id}:{event}", f"ticket.{event}",
                            {"hall": self.hall, "at": now.isoformat(), **detail}, now)

    def _called(self, row: Row, window_id: str, status: str, recalls: int,
                called_at: datetime) -> CalledTicket:
        item = self.catalogue.item(row.item_id)
        waited = (called_at - row.issued_at).total_seconds() / 60
        return CalledTicket(number=row.number, window_id=window_id, status=status,
                            item_id=row.item_id, item_name=item.name,
                            priority_reason=row.priority_reason, masked_name=row.masked_name,
                            recalls=recalls, waited_minutes=round(waited, 1))
