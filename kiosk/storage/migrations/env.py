"""Alembic environment: runs migrations on the connection ``kiosk.storage.migrate`` hands in.

Never opens its own database connection from an ini file: the kiosk's engine settings (WAL,
synchronous=FULL, psycopg 3) must apply to migrations too.
"""

from __future__ import annotations

from alembic import context

from kiosk.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through kiosk.storage.migrate(engine)")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
