"""Each partner in their own language: ``users.language`` and ``users.telegram_language``.

``language`` is what the person chose with /language (NULL: no choice yet);
``telegram_language`` is the ``language_code`` Telegram last sent with their update. The
bot writes in the choice, else Telegram's language if it ships it, else English (issue #14).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
        batch.add_column(sa.Column("telegram_language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("telegram_language")
        batch.drop_column("language")
