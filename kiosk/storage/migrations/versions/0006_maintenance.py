"""Maintenance mode: the technician PIN, the day's counters, the paper roll, door service marks.

A released migration is never edited: change the schema with a new revision.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "maintenance_pins",
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_maintenance_pins")),
    )
    op.create_table(
        "maintenance_counters",
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", "day", "name", name=op.f("pk_maintenance_counters")),
    )
    op.create_table(
        "maintenance_paper",
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("used_mm", sa.Float(), nullable=False),
        sa.Column("roll_since", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_maintenance_paper")),
    )
    op.create_table(
        "maintenance_doors",
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("door", sa.Integer(), nullable=False),
        sa.Column("out_of_service", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", "door", name=op.f("pk_maintenance_doors")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("maintenance_doors")
    op.drop_table("maintenance_paper")
    op.drop_table("maintenance_counters")
    op.drop_table("maintenance_pins")
