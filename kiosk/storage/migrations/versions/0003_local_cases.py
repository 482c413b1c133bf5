"""Self-service submissions (自助申报) on the kiosk: local_cases, their materials and pages.

A released migration is never edited: change the schema with a new revision.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "local_cases",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("local_ref", sa.String(length=40), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=False),
        sa.Column("masked_name", sa.String(length=64), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("repeat_of", sa.String(length=36), nullable=True),
        sa.Column("files_dir", sa.Text(), nullable=False),
        sa.CheckConstraint("delivery IN ('window','locker','post')",
                           name=op.f("ck_local_cases_delivery")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_local_cases")),
        sa.UniqueConstraint("kiosk_id", "service_date", "seq",
                            name=op.f("uq_local_cases_kiosk_id_service_date_seq")),
        sa.UniqueConstraint("local_ref", name=op.f("uq_local_cases_local_ref")),
    )
    op.create_index(op.f("ix_local_cases_person_hash"), "local_cases", ["person_hash"],
                    unique=False)
    op.create_table(
        "local_case_materials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.CheckConstraint("status IN ('received','owed')",
                           name=op.f("ck_local_case_materials_status")),
        sa.ForeignKeyConstraint(["case_id"], ["local_cases.case_id"],
                                name=op.f("fk_local_case_materials_case_id_local_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_case_materials")),
    )
    op.create_index(op.f("ix_local_case_materials_case_id"), "local_case_materials",
                    ["case_id"], unique=False)
    op.create_table(
        "local_case_pages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("material_row", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["material_row"], ["local_case_materials.id"],
            name=op.f("fk_local_case_pages_material_row_local_case_materials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_case_pages")),
    )
    op.create_index(op.f("ix_local_case_pages_material_row"), "local_case_pages",
                    ["material_row"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_local_case_pages_material_row"), table_name="local_case_pages")
    op.drop_table("local_case_pages")
    op.drop_index(op.f("ix_local_case_materials_case_id"), table_name="local_case_materials")
    op.drop_table("local_case_materials")
    op.drop_index(op.f("ix_local_cases_person_hash"), table_name="local_cases")
    op.drop_table("local_cases")
