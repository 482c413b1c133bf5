"""Gap-free daily ticket numbers: A001, A002… per hall, local service date and prefix.

The next number comes from one row per (hall, date, prefix), incremented by an atomic upsert
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``). On PostgreSQL the upsert holds that row's lock
until the ticket's transaction ends, exactly like ``SELECT … FOR UPDATE`` but without the race
of creating the first row of the day; on SQLite the transaction already holds the write lock
(``BEGIN IMMEDIATE``). A refused or failed issue rolls back, so the number is not used up: no gaps.
Must be called inside the transaction that inserts the ticket, never on its own.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Executable, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kiosk.storage.models import DailySequence


def _upsert(dialect: str) -> Executable:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = DailySequence.__table__
    stmt = insert(table).values(hall=bindparam("hall"), service_date=bindparam("day"),
                                prefix=bindparam("prefix"), last_seq=1)
    return stmt.on_conflict_do_update(
        index_elements=["hall", "service_date", "prefix"],
        set_={"last_seq": table.c.last_seq + 1},
    ).returning(table.c.last_seq)


# Built once: building the statement costs more than running it on the tap-to-ticket path.
_UPSERT = {name: _upsert(name) for name in ("postgresql", "sqlite")}


def next_seq(conn: Connection, hall: str, day: date, prefix: str) -> int:
    stmt = _UPSERT["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
    return int(conn.execute(stmt, {"hall": hall, "day": day, "prefix": prefix}).scalar_one())


def format_number(prefix: str, seq: int) -> str:
    """A023: three digits as halls print them; a busy day simply grows a fourth."""
    return f"{prefix}{seq:03d}"
