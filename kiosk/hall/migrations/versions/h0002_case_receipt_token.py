"""Case receipt tokens are the kiosk's ``case_token`` (case id signed with the hall secret, 71
characters for a uuid), so the QR printed before the server saw the case opens it here too: the
column grows from 64 to 128 characters.

A released migration is never edited: change the schema with a new revision.

Revision ID: h0002
Revises: h0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h0002"
down_revision: str | Sequence[str] | None = "h0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hall_cases") as batch:
        batch.alter_column("receipt_token", existing_type=sa.String(length=64),
                           type_=sa.String(length=128), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("hall_cases") as batch:
        batch.alter_column("receipt_token", existing_type=sa.String(length=128),
                           type_=sa.String(length=64), existing_nullable=False)
