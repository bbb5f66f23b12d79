"""Quiet hours protect from the partner too: ``users.relays_wait_for_morning``.

A relay (a "thinking of you", love back, an appreciation) that reaches someone during their
quiet hours arrives silently by default (``false``), or waits until their quiet hours end
(``true``); the person chooses in /settings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "relays_wait_for_morning",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("relays_wait_for_morning")
