"""Scheduled nudges: nudge settings on users, per-ritual settings, and the nudges table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("quiet_hours", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("paused_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("planned_through", sa.Date(), nullable=True))
    op.create_table(
        "ritual_settings",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("ritual", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("window", sa.String(length=16), nullable=True),
        sa.Column("ignored_in_a_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_ritual_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "ritual", name=op.f("pk_ritual_settings")),
    )
    op.create_table(
        "nudges",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("ritual", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("window_end_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("phrasing", sa.Integer(), nullable=False),
        sa.Column("snoozed", sa.Boolean(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["couples.id"],
            name=op.f("fk_nudges_couple_id_couples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_nudges_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint("user_id", "ritual", "local_date", name="uq_nudges_user_ritual_day"),
    )
    op.create_index(op.f("ix_nudges_couple_id"), "nudges", ["couple_id"])
    op.create_index("ix_nudges_status_due", "nudges", ["status", "due_at"])
    with op.batch_alter_table("connection_events") as batch:
        batch.add_column(sa.Column("nudge_id", _ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_connection_events_nudge_id_nudges"),
            "nudges",
            ["nudge_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("connection_events") as batch:
        batch.drop_constraint(op.f("fk_connection_events_nudge_id_nudges"), type_="foreignkey")
        batch.drop_column("nudge_id")
    op.drop_table("nudges")
    op.drop_table("ritual_settings")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("planned_through")
        batch.drop_column("paused_until")
        batch.drop_column("quiet_hours")
