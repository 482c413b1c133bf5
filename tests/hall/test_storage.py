"""The hall's own schema: migrations create exactly the models, beside the kiosk's tables, with
their own version table; the start-up shortcut's head constant is Alembic's real head."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from kiosk.hall.db import HEAD_REVISION, MIGRATIONS_DIR, VERSION_TABLE, migrate_hall, open_engine
from kiosk.hall.models import HallBase
from kiosk.storage.engine import HEAD_REVISION as KIOSK_HEAD


def _only_hall(obj: object, name: str | None, type_: str, reflected: bool,
               compare_to: object) -> bool:
    return type_ != "table" or bool(name and name.startswith("hall_"))


def test_head_constant_is_alembics_head():
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


def test_migrations_match_models_and_live_beside_the_kiosk_schema(db_url):
    engine = open_engine(db_url)
    migrate_hall(engine)
    migrate_hall(engine)  # a second start is a no-op
    tables = set(inspect(engine).get_table_names())
    assert {"tickets", "outbox", "alembic_version", VERSION_TABLE} <= tables
    assert {t for t in tables if t.startswith("hall_")} == set(HallBase.metadata.tables) | {
        VERSION_TABLE}
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() \
            == HEAD_REVISION
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == KIOSK_HEAD
        ctx = MigrationContext.configure(conn, opts={"include_object": _only_hall,
                                                     "version_table": VERSION_TABLE})
        assert compare_metadata(ctx, HallBase.metadata) == []
    engine.dispose()
