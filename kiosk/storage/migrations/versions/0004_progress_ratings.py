"""Progress lookup and ratings at the kiosk: case_status_cache (the hall's last answer about a
case, masked fields only) and ratings (one per ticket or case, held until the session ends).

A released migration is never edited: change the schema with a new revision.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "case_status_cache",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("masked_name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("detailed", sa.Boolean(), nullable=False),
        sa.Column("view", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_status_cache")),
    )
    op.create_index(op.f("ix_case_status_cache_person_hash"), "case_status_cache",
                    ["person_hash"], unique=False)
    op.create_index(op.f("ix_case_status_cache_fetched_at"), "case_status_cache",
                    ["fetched_at"], unique=False)
    op.create_table(
        "ratings",
        sa.Column("rating_id", sa.String(length=36), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("contact_wanted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("target_kind IN ('ticket','case')",
                           name=op.f("ck_ratings_target_kind")),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_ratings_level")),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("target_kind", "target_id",
                            name=op.f("uq_ratings_target_kind_target_id")),
    )
    op.create_index(op.f("ix_ratings_kiosk_id_released_at"), "ratings",
                    ["kiosk_id", "released_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_ratings_kiosk_id_released_at"), table_name="ratings")
    op.drop_table("ratings")
    op.drop_index(op.f("ix_case_status_cache_fetched_at"), table_name="case_status_cache")
    op.drop_index(op.f("ix_case_status_cache_person_hash"), table_name="case_status_cache")
    op.drop_table("case_status_cache")
