"""Alembic environment of the hall server's own tables (``hall_*``, version table
``hall_alembic_version``), run on the connection ``kiosk.hall.db.migrate_hall`` hands in.

Must never touch the kiosk's tables: those belong to ``kiosk/storage/migrations``.
"""

from __future__ import annotations

from alembic import context

from kiosk.hall.db import VERSION_TABLE
from kiosk.hall.models import HallBase

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run hall migrations through kiosk.hall.db.migrate_hall(engine)")


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return type_ != "table" or bool(name and name.startswith("hall_"))


context.configure(connection=connection, target_metadata=HallBase.metadata,
                  version_table=VERSION_TABLE, include_object=_ours,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
