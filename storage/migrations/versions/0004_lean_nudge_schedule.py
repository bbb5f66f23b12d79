"""A lean nudge schedule: the indexes and checks a daily plan of millions of rows can afford.

Planning writes three rows a person a day, so every index and check on ``nudges`` is paid
millions of times a day. Measured on 1M people (bench/bench_planning.py):

* The foreign keys went. PostgreSQL checks each inserted row with a locking lookup, which was
  60% of the insert cost. The code keeps the links instead: the planner writes rows only
  for people whose plan mark it has just moved (their row is locked), ``/forget_me`` deletes
  a person's nudges with them, and the dispatcher re-reads each recipient before sending.
  ``couple_id`` stays as a plain column: the couple a nudge was planned for.
* The unique key is (person, day, ritual), so a person's week is one short index range: it
  replaces the ``couple_id`` index that weekly summaries used.
* The dispatcher's index covers open rows only (planned or being sent), and answered-or-not
  rows have their own small index: history no longer weighs on every insert.
* A new row's status, attempt and snooze flag get server defaults, so a bulk COPY sends
  seven columns instead of ten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("status IN ('planned', 'sending')")
_SENT = sa.text("status = 'sent'")


def upgrade() -> None:
    op.drop_index("ix_nudges_status_due", table_name="nudges")
    op.drop_index(op.f("ix_nudges_couple_id"), table_name="nudges")
    with op.batch_alter_table("nudges") as batch:
        batch.alter_column("status", server_default="planned", existing_type=sa.String(16))
        batch.alter_column("attempt", server_default="0", existing_type=sa.Integer())
        batch.alter_column("snoozed", server_default=sa.false(), existing_type=sa.Boolean())
        batch.drop_constraint(op.f("fk_nudges_couple_id_couples"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_nudges_user_id_users"), type_="foreignkey")
        batch.drop_constraint("uq_nudges_user_ritual_day", type_="unique")
        batch.create_unique_constraint(
            "uq_nudges_user_day_ritual", ["user_id", "local_date", "ritual"]
        )
    op.create_index(
        "ix_nudges_open_due", "nudges", ["due_at"], sqlite_where=_OPEN, postgresql_where=_OPEN
    )
    op.create_index(
        "ix_nudges_sent_at", "nudges", ["sent_at"], sqlite_where=_SENT, postgresql_where=_SENT
    )


def downgrade() -> None:
    op.drop_index("ix_nudges_sent_at", table_name="nudges")
    op.drop_index("ix_nudges_open_due", table_name="nudges")
    with op.batch_alter_table("nudges") as batch:
        batch.alter_column("status", server_default=None, existing_type=sa.String(16))
        batch.alter_column("attempt", server_default=None, existing_type=sa.Integer())
        batch.alter_column("snoozed", server_default=None, existing_type=sa.Boolean())
        batch.drop_constraint("uq_nudges_user_day_ritual", type_="unique")
        batch.create_unique_constraint(
            "uq_nudges_user_ritual_day", ["user_id", "ritual", "local_date"]
        )
        batch.create_foreign_key(
            op.f("fk_nudges_user_id_users"), "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            op.f("fk_nudges_couple_id_couples"),
            "couples",
            ["couple_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index(op.f("ix_nudges_couple_id"), "nudges", ["couple_id"])
    op.create_index("ix_nudges_status_due", "nudges", ["status", "due_at"])
