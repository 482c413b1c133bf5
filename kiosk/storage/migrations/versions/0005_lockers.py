"""The document locker: compartments' service state, contents, the door journal, code attempts
and staff.

A released migration is never edited: change the schema with a new revision.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_ITEM = "state IN ('depositing','held')"
OPEN_INTENT = "state IN ('intended','opened')"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "locker_compartments",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("out_of_service_at", sa.DateTime(), nullable=True),
        sa.Column("fault", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_locker_compartments")),
    )
    op.create_table(
        "locker_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("compartment", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("case_number", sa.String(length=32), nullable=True),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("masked_name", sa.String(length=64), nullable=True),
        sa.Column("needs_id", sa.Boolean(), nullable=False),
        sa.Column("code_hmac", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("code_failures", sa.Integer(), nullable=False),
        sa.Column("code_locked_until", sa.DateTime(), nullable=True),
        sa.Column("deposited_at", sa.DateTime(), nullable=False),
        sa.Column("deposited_by", sa.String(length=64), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.Column("removal", sa.String(length=16), nullable=True),
        sa.CheckConstraint("kind IN ('pickup','dropoff')", name=op.f("ck_locker_items_kind")),
        sa.CheckConstraint("state IN ('depositing','held','removed','cancelled')",
                           name=op.f("ck_locker_items_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locker_items")),
    )
    op.create_index("uq_locker_items_live_compartment", "locker_items", ["compartment"],
                    unique=True, sqlite_where=sa.text(LIVE_ITEM),
                    postgresql_where=sa.text(LIVE_ITEM))
    op.create_index(op.f("ix_locker_items_code_hmac"), "locker_items", ["code_hmac"],
                    unique=False)
    op.create_table(
        "locker_intents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("compartment", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.CheckConstraint("state IN ('intended','opened','done','rolled_back','failed')",
                           name=op.f("ck_locker_intents_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locker_intents")),
    )
    op.create_index("uq_locker_intents_open_compartment", "locker_intents", ["compartment"],
                    unique=True, sqlite_where=sa.text(OPEN_INTENT),
                    postgresql_where=sa.text(OPEN_INTENT))
    op.create_table(
        "locker_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locker_attempts")),
    )
    op.create_index(op.f("ix_locker_attempts_kiosk_id_at"), "locker_attempts",
                    ["kiosk_id", "at"], unique=False)
    op.create_table(
        "locker_staff",
        sa.Column("staff_id", sa.String(length=32), nullable=False),
        sa.Column("card_hash", sa.String(length=64), nullable=True),
        sa.Column("qr_hash", sa.String(length=64), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_locker_staff")),
        sa.UniqueConstraint("card_hash", name=op.f("uq_locker_staff_card_hash")),
        sa.UniqueConstraint("qr_hash", name=op.f("uq_locker_staff_qr_hash")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("locker_staff")
    op.drop_index(op.f("ix_locker_attempts_kiosk_id_at"), table_name="locker_attempts")
    op.drop_table("locker_attempts")
    op.drop_index("uq_locker_intents_open_compartment", table_name="locker_intents")
    op.drop_table("locker_intents")
    op.drop_index(op.f("ix_locker_items_code_hmac"), table_name="locker_items")
    op.drop_index("uq_locker_items_live_compartment", table_name="locker_items")
    op.drop_table("locker_items")
    op.drop_table("locker_compartments")
