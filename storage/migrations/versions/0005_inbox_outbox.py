"""The update inbox and the outbox; lease owners and attempt counts on nudges and digests.

* ``processed_updates``: one row per handled Telegram update, written in the update's own
  transaction, so a repeated update has no effect.
* ``outbox``: relays and notices, written in the same transaction as what caused them and
  sent after the commit, retried from the table if that first try fails or the process dies.
* ``nudges`` and ``weekly_digests`` get ``lease_owner`` (and digests ``attempt`` and
  ``lease_until``): one claim mechanism for everything the bot sends on its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_OPEN = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.create_index("ix_processed_updates_handled_at", "processed_updates", ["handled_at"])
    op.create_table(
        "outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=True),
        sa.Column("couple_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=36), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    op.create_index(
        "ix_outbox_open_due", "outbox", ["due_at"], sqlite_where=_OPEN, postgresql_where=_OPEN
    )
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"])
    op.create_index("ix_outbox_sender_id", "outbox", ["sender_id"])
    with op.batch_alter_table("nudges") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=36), nullable=True))
    with op.batch_alter_table("weekly_digests") as batch:
        batch.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("lease_owner", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weekly_digests") as batch:
        batch.drop_column("lease_owner")
        batch.drop_column("lease_until")
        batch.drop_column("attempt")
    with op.batch_alter_table("nudges") as batch:
        batch.drop_column("lease_owner")
    op.drop_index("ix_outbox_sender_id", table_name="outbox")
    op.drop_index("ix_outbox_chat_id", table_name="outbox")
    op.drop_index("ix_outbox_open_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_processed_updates_handled_at", table_name="processed_updates")
    op.drop_table("processed_updates")
