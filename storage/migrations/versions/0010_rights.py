"""Fair limits and single-use confirmations (issue #11).

- ``rate_buckets``: one token bucket per person and kind of action, shared by every bot
  process (domain/values/limits.py); rows go with the person.
- ``users.confirmation``: the nonce of the one destructive confirmation a person was
  offered (/forget_me, /unpair), with when; a button without it does nothing.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("confirmation", sa.String(64), nullable=True))
    op.create_table(
        "rate_buckets",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("told", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_rate_buckets_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "bucket", name="pk_rate_buckets"),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("confirmation")
