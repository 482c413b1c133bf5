"""Hall server schema: kiosks, idempotent inbox, tickets, cases with materials, pages and
timeline, ratings and follow-ups, locker events and pickup codes, alerts, staff, audit.

Timestamps are DateTime columns holding UTC (the models' UTCDateTime adds the zone back).
A released migration is never edited: change the schema with a new revision.

Revision ID: h0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hall_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_alerts")),
    )
    op.create_table(
        "hall_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_audit")),
    )
    op.create_index(op.f("ix_hall_audit_at"), "hall_audit", ["at"], unique=False)
    op.create_table(
        "hall_case_kiosk_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_case_kiosk_events")),
    )
    op.create_table(
        "hall_case_sequences",
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "day", name=op.f("pk_hall_case_sequences")),
    )
    op.create_table(
        "hall_cases",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("receipt_token", sa.String(length=64), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=False),
        sa.Column("masked_name", sa.String(length=64), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("repeat_of", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_hall_cases")),
        sa.UniqueConstraint("case_number", name=op.f("uq_hall_cases_case_number")),
        sa.UniqueConstraint("receipt_token", name=op.f("uq_hall_cases_receipt_token")),
    )
    op.create_index(
        op.f("ix_hall_cases_hall_submitted_at"),
        "hall_cases",
        ["hall", "submitted_at"],
        unique=False,
    )
    op.create_index(op.f("ix_hall_cases_person_hash"), "hall_cases", ["person_hash"], unique=False)
    op.create_index(op.f("ix_hall_cases_status"), "hall_cases", ["status"], unique=False)
    op.create_table(
        "hall_inbox",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("endpoint", sa.String(length=64), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_hall_inbox")),
    )
    op.create_table(
        "hall_kiosks",
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_hall_kiosks")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_hall_kiosks_token_sha256")),
    )
    op.create_table(
        "hall_locker_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("compartment", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_hall_locker_events")),
    )
    op.create_table(
        "hall_pickup_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_pickup_attempts")),
    )
    op.create_index(
        op.f("ix_hall_pickup_attempts_kiosk_id_at"),
        "hall_pickup_attempts",
        ["kiosk_id", "at"],
        unique=False,
    )
    op.create_table(
        "hall_ratings",
        sa.Column("rating_id", sa.String(length=36), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("contact_wanted", sa.Boolean(), nullable=False),
        sa.Column("contact_phone_masked", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_hall_ratings")),
    )
    op.create_table(
        "hall_staff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_hall_staff_username")),
    )
    op.create_table(
        "hall_ticket_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("window_id", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_ticket_events")),
        sa.UniqueConstraint("ticket_id", "kind", name=op.f("uq_hall_ticket_events_ticket_id_kind")),
    )
    op.create_index(
        op.f("ix_hall_ticket_events_hall_service_date"),
        "hall_ticket_events",
        ["hall", "service_date"],
        unique=False,
    )
    op.create_table(
        "hall_case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["hall_cases.case_id"], name=op.f("fk_hall_case_events_case_id_hall_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_case_events")),
    )
    op.create_index(
        op.f("ix_hall_case_events_case_id_at"), "hall_case_events", ["case_id", "at"], unique=False
    )
    op.create_table(
        "hall_case_materials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["hall_cases.case_id"],
            name=op.f("fk_hall_case_materials_case_id_hall_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_case_materials")),
        sa.UniqueConstraint(
            "case_id", "material_id", name=op.f("uq_hall_case_materials_case_id_material_id")
        ),
    )
    op.create_table(
        "hall_followups",
        sa.Column("rating_id", sa.String(length=36), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("contact_due", sa.Date(), nullable=False),
        sa.Column("fix_due", sa.Date(), nullable=False),
        sa.Column("contacted_at", sa.DateTime(), nullable=True),
        sa.Column("contacted_by", sa.String(length=64), nullable=True),
        sa.Column("contact_note", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["hall_ratings.rating_id"],
            name=op.f("fk_hall_followups_rating_id_hall_ratings"),
        ),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_hall_followups")),
    )
    op.create_index(
        op.f("ix_hall_followups_resolved_at"), "hall_followups", ["resolved_at"], unique=False
    )
    op.create_table(
        "hall_pickup_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("compartment", sa.Integer(), nullable=False),
        sa.Column("code_hmac", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["hall_cases.case_id"],
            name=op.f("fk_hall_pickup_codes_case_id_hall_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_pickup_codes")),
    )
    op.create_index(
        op.f("ix_hall_pickup_codes_case_id"), "hall_pickup_codes", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_hall_pickup_codes_code_hmac"), "hall_pickup_codes", ["code_hmac"], unique=False
    )
    op.create_table(
        "hall_case_pages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("material_pk", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("stored_path", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["material_pk"],
            ["hall_case_materials.id"],
            name=op.f("fk_hall_case_pages_material_pk_hall_case_materials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_case_pages")),
    )


def downgrade() -> None:
    op.drop_table("hall_case_pages")
    op.drop_index(op.f("ix_hall_pickup_codes_code_hmac"), table_name="hall_pickup_codes")
    op.drop_index(op.f("ix_hall_pickup_codes_case_id"), table_name="hall_pickup_codes")
    op.drop_table("hall_pickup_codes")
    op.drop_index(op.f("ix_hall_followups_resolved_at"), table_name="hall_followups")
    op.drop_table("hall_followups")
    op.drop_table("hall_case_materials")
    op.drop_index(op.f("ix_hall_case_events_case_id_at"), table_name="hall_case_events")
    op.drop_table("hall_case_events")
    op.drop_index(op.f("ix_hall_ticket_events_hall_service_date"), table_name="hall_ticket_events")
    op.drop_table("hall_ticket_events")
    op.drop_table("hall_staff")
    op.drop_table("hall_ratings")
    op.drop_index(op.f("ix_hall_pickup_attempts_kiosk_id_at"), table_name="hall_pickup_attempts")
    op.drop_table("hall_pickup_attempts")
    op.drop_table("hall_locker_events")
    op.drop_table("hall_kiosks")
    op.drop_table("hall_inbox")
    op.drop_index(op.f("ix_hall_cases_status"), table_name="hall_cases")
    op.drop_index(op.f("ix_hall_cases_person_hash"), table_name="hall_cases")
    op.drop_index(op.f("ix_hall_cases_hall_submitted_at"), table_name="hall_cases")
    op.drop_table("hall_cases")
    op.drop_table("hall_case_sequences")
    op.drop_table("hall_case_kiosk_events")
    op.drop_index(op.f("ix_hall_audit_at"), table_name="hall_audit")
    op.drop_table("hall_audit")
    op.drop_table("hall_alerts")
