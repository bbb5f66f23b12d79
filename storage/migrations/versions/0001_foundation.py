"""Foundation: users, couples, invites, pair attempts and connection events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(length=128), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("couple_id", sa.Integer(), nullable=True),
        sa.Column("awaiting", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_couple_id"), "users", ["couple_id"])
    op.create_table(
        "couples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.BigInteger(), nullable=True),
        sa.Column("second_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("first_id <> second_id", name=op.f("ck_couples_two_people")),
        sa.ForeignKeyConstraint(
            ["first_id"], ["users.id"], name=op.f("fk_couples_first_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["users.id"],
            name=op.f("fk_couples_second_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_couples")),
    )
    with op.batch_alter_table("users") as batch:
        batch.create_foreign_key(
            op.f("fk_users_couple_id_couples"),
            "couples",
            ["couple_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("inviter_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_by_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inviter_id"],
            ["users.id"],
            name=op.f("fk_invites_inviter_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["users.id"],
            name=op.f("fk_invites_used_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invites_code_hash")),
    )
    op.create_index(op.f("ix_invites_inviter_id"), "invites", ["inviter_id"])
    op.create_table(
        "pair_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_pair_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_attempts")),
    )
    op.create_index("ix_pair_attempts_user_at", "pair_attempts", ["user_id", "attempted_at"])
    op.create_table(
        "connection_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_connection_events_actor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["couples.id"],
            name=op.f("fk_connection_events_couple_id_couples"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection_events")),
        sa.UniqueConstraint("actor_id", "dedupe_key", name="uq_connection_events_actor_dedupe"),
    )
    op.create_index(
        "ix_connection_events_couple_created", "connection_events", ["couple_id", "created_at"]
    )
    op.create_index(
        "ix_connection_events_actor_created", "connection_events", ["actor_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("connection_events")
    op.drop_table("pair_attempts")
    op.drop_table("invites")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("fk_users_couple_id_couples"), type_="foreignkey")
    op.drop_table("couples")
    op.drop_table("users")
