"""Micro-randomized nudges (issue #12): decision points, their outcomes, adapting chances.

``nudges`` gains the decision point's ``probability`` and draw (``treated``) and, once its
window has closed, its ``outcome``; ``ritual_settings.probability`` is a person's chance of
getting that ritual's nudge (NULL: the default); ``probability_changes`` logs each change
and why. New columns are nullable without defaults: adding them rewrites nothing.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_OPEN_OUTCOME = sa.text(
    "outcome IS NULL AND probability IS NOT NULL AND "
    "status IN ('sent', 'acted', 'declined', 'ignored', 'maybe', 'withheld')"
)


def upgrade() -> None:
    with op.batch_alter_table("nudges") as batch:
        batch.add_column(sa.Column("probability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("treated", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("outcome", sa.Boolean(), nullable=True))
    op.create_index(
        "ix_nudges_open_outcome",
        "nudges",
        ["due_at"],
        sqlite_where=_OPEN_OUTCOME,
        postgresql_where=_OPEN_OUTCOME,
    )
    with op.batch_alter_table("ritual_settings") as batch:
        batch.add_column(sa.Column("probability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("effect", sa.Text(), nullable=True))
    op.create_table(
        "probability_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("ritual", sa.String(length=32), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("old", sa.Float(), nullable=False),
        sa.Column("new", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_probability_changes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probability_changes")),
    )
    op.create_index(
        "ix_probability_changes_user_ritual", "probability_changes", ["user_id", "ritual"]
    )


def downgrade() -> None:
    op.drop_index("ix_probability_changes_user_ritual", table_name="probability_changes")
    op.drop_table("probability_changes")
    with op.batch_alter_table("ritual_settings") as batch:
        batch.drop_column("effect")
        batch.drop_column("probability")
    op.drop_index("ix_nudges_open_outcome", table_name="nudges")
    with op.batch_alter_table("nudges") as batch:
        batch.drop_column("outcome")
        batch.drop_column("treated")
        batch.drop_column("probability")
