"""Initial schema: tickets, daily sequences, appointments, outbox, audit log, alerts.

Timestamps are DateTime columns holding UTC (the models' UTCDateTime adds the zone back).
A released migration is never edited: change the schema with a new revision.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_cleared_at"), "alerts", ["cleared_at"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.Time(), nullable=False),
        sa.Column("slot_end", sa.Time(), nullable=False),
        sa.Column("window_id", sa.String(length=32), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("masked_name", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('booked','checked_in','cancelled')", name=op.f("ck_appointments_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("hall", "code", name=op.f("uq_appointments_hall_code")),
    )
    op.create_index(
        op.f("ix_appointments_hall_person_hash"),
        "appointments",
        ["hall", "person_hash"],
        unique=False,
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "daily_sequences",
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "service_date", "prefix", name=op.f("pk_daily_sequences")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index(
        op.f("ix_outbox_sent_at_next_attempt_at"),
        "outbox",
        ["sent_at", "next_attempt_at"],
        unique=False,
    )

    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("priority_reason", sa.String(length=32), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("masked_name", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("window_id", sa.String(length=32), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting','called','serving','done','skipped')",
            name=op.f("ck_tickets_status"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_tickets_appointment_id_appointments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint(
            "hall",
            "service_date",
            "prefix",
            "seq",
            name=op.f("uq_tickets_hall_service_date_prefix_seq"),
        ),
    )
    op.create_index(
        op.f("ix_tickets_hall_service_date_category_status_priority_seq"),
        "tickets",
        ["hall", "service_date", "category", "status", "priority", "seq"],
        unique=False,
    )
    op.create_index(
        op.f("ix_tickets_hall_service_date_item_id"),
        "tickets",
        ["hall", "service_date", "item_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_tickets_hall_service_date_person_hash"),
        "tickets",
        ["hall", "service_date", "person_hash"],
        unique=False,
    )
    op.create_index(
        op.f("ix_tickets_hall_window_id_status"),
        "tickets",
        ["hall", "window_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_tickets_hall_window_id_status"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_hall_service_date_person_hash"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_hall_service_date_item_id"), table_name="tickets")
    op.drop_index(
        op.f("ix_tickets_hall_service_date_category_status_priority_seq"), table_name="tickets"
    )

    op.drop_table("tickets")
    op.drop_index(op.f("ix_outbox_sent_at_next_attempt_at"), table_name="outbox")

    op.drop_table("outbox")
    op.drop_table("daily_sequences")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_appointments_hall_person_hash"), table_name="appointments")

    op.drop_table("appointments")
    op.drop_index(op.f("ix_alerts_cleared_at"), table_name="alerts")

    op.drop_table("alerts")
