"""Gap-free daily ticket numbers: A001, A002… per hall, local service date and prefix.

The next number comes from one row per (hall, date, prefix), incremented by an atomic upsert
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``). On PostgreSQL the upsert holds that row's lock
until the ticket's transaction ends, exactly like ``SELECT … FOR UPDATE`` but without the race
of creating the first row of the day; on SQLite the transaction already holds the write lock
(``BEGIN IMMEDIATE``). A refused or failed issue rolls back, so the number is not used up: no gaps.

Every kiosk of the hall queues on that row lock, so it must be taken as late as possible and held
for as little as possible: ``insert_numbered_ticket`` is the *last* work of the ticket's
transaction before the outbox row and the commit, and on PostgreSQL it is a single statement (the
upsert in a CTE feeding the ticket's INSERT, the number formatted by the database), so the lock is
held for one round trip, the outbox insert and the commit — not across the limit and queue reads,
which the caller does first.

The commit's disk flush is the longest part of that, and a lock held across it serialises the
flushes too. ``ticket_transaction`` therefore commits a ticket on PostgreSQL with
``synchronous_commit = off`` — the lock goes as soon as the commit record is in the WAL — and
then, before the ticket is handed to anyone, flushes the WAL up to a point after that record
(a one-statement transaction of its own, committed synchronously; the flushes of several kiosks
are merged by the server). A ticket is therefore still on disk before it is shown, and no gap can
appear: the WAL is flushed in order, so a crash that loses our ticket loses every later number
with it. Must be called inside the transaction that inserts the ticket, never on its own, and
never before the reads that need no lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    text,
)

from kiosk.storage.models import DailySequence, Ticket

NUMBER_DIGITS = 3  # A023: three digits as halls print them; a busy day simply grows a fourth


def _upsert(dialect: str) -> Any:
    # the dialect's own INSERT (for ON CONFLICT), imported only by a kiosk that uses it
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as insert_
    else:
        from sqlalchemy.dialects.sqlite import insert as insert_
    table = DailySequence.__table__
    stmt = insert_(table).values(hall=bindparam("hall"), service_date=bindparam("day"),
                                 prefix=bindparam("prefix"), last_seq=1)
    return stmt.on_conflict_do_update(
        index_elements=["hall", "service_date", "prefix"],
        set_={"last_seq": table.c.last_seq + 1},
    ).returning(table.c.last_seq)


def _numbered_insert() -> Executable:
    """PostgreSQL: take the number and insert the ticket in one statement.

    ``WITH seq AS (INSERT INTO daily_sequences … ON CONFLICT DO UPDATE … RETURNING last_seq)
    INSERT INTO tickets (…) SELECT :id, …, seq.last_seq, :prefix || lpad(…) FROM seq
    RETURNING seq, number``.
    """
    tickets = Ticket.__table__
    seq = _upsert("postgresql").cte("seq")
    digits = cast(seq.c.last_seq, Text)
    number = bindparam("prefix", type_=Text) + func.lpad(
        digits, func.greatest(NUMBER_DIGITS, func.length(digits)), literal_column("'0'"))
    columns = [c for c in tickets.c if c.name not in ("seq", "number")]
    values = [bindparam(f"t_{c.name}", type_=c.type) for c in columns]
    rows = select(*values, seq.c.last_seq, number).select_from(seq)
    return (insert(tickets)
            .from_select([*(c.name for c in columns), "seq", "number"], rows)
            .returning(tickets.c.seq, tickets.c.number))


# Built once, on first use: building the statements costs more than running them on the
# tap-to-ticket path.
@cache
def _statement(name: str) -> Any:
    if name == "numbered-insert":
        return _numbered_insert()
    return _upsert(name)


_INSERT_TICKET = insert(Ticket.__table__)


#: A column for the transaction's first read, on PostgreSQL inside ``ticket_transaction`` only
#: (``SET LOCAL`` as an expression, so it costs no round trip of its own).
NO_FLUSH_WAIT = func.set_config("synchronous_commit", "off", True)
# Any transaction with a transaction id commits with a WAL flush up to its own commit record.
_FLUSH_WAL = text("SELECT pg_current_xact_id()")
_DEFERS_FLUSH = "kiosk.ticket_flush_after_commit"


@contextmanager
def ticket_transaction(engine: Engine) -> Iterator[Connection]:
    """The transaction a ticket is issued in: committed (and on disk) when the block ends
    without an exception, rolled back otherwise (see the module docstring for PostgreSQL).
    Inside it, ``defers_flush(conn)`` is true: a read may add ``NO_FLUSH_WAIT``."""
    with engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        conn.info[_DEFERS_FLUSH] = postgres
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop(_DEFERS_FLUSH, None)
        if postgres:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(_FLUSH_WAL)


def defers_flush(conn: Connection) -> bool:
    """True inside ``ticket_transaction`` on PostgreSQL: the flush is waited for after commit,
    so the transaction may commit without waiting (and must not otherwise)."""
    return bool(conn.info.get(_DEFERS_FLUSH))


def next_seq(conn: Connection, hall: str, day: date, prefix: str) -> int:
    stmt = _statement("postgresql" if conn.dialect.name == "postgresql" else "sqlite")
    return int(conn.execute(stmt, {"hall": hall, "day": day, "prefix": prefix}).scalar_one())


def insert_numbered_ticket(conn: Connection, ticket: dict[str, Any]) -> tuple[int, str]:
    """Give ``ticket`` (every column of ``tickets`` but ``seq`` and ``number``) the next number
    of its hall, service date and prefix, insert it, and return ``(seq, number)``."""
    if conn.dialect.name == "postgresql":
        params = {f"t_{name}": value for name, value in ticket.items()}
        params.update(hall=ticket["hall"], day=ticket["service_date"], prefix=ticket["prefix"])
        seq, number = conn.execute(_statement("numbered-insert"), params).one()
        return int(seq), str(number)
    seq = next_seq(conn, ticket["hall"], ticket["service_date"], ticket["prefix"])
    number = format_number(ticket["prefix"], seq)
    conn.execute(_INSERT_TICKET, {**ticket, "seq": seq, "number": number})
    return seq, number


def format_number(prefix: str, seq: int) -> str:
    """A023: three digits as halls print them; a busy day simply grows a fourth."""
    return f"{prefix}{seq:0{NUMBER_DIGITS}d}"
