"""The Sunday digest's schema: who got which week's reflection, and who would rather not.

It shares the same ``Base`` (and so the same metadata) as :mod:`storage.models`, and
Alembic's ``env.py`` imports this module so the migrations and the drift test see it.

Revision ``0003_weekly_digest`` creates exactly what is declared here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class DigestStatus:
    """The life of one person's digest for one week (strings, like ``NudgeStatus``)."""

    PLANNED = "planned"  # slot drawn, waiting for its local Sunday-evening time
    SENDING = "sending"  # claimed by one process; never resent, so never doubled
    SENT = "sent"
    SKIPPED = "skipped"  # opted out, unpaired, paused, or a quiet fortnight (no nagging)
    CAPPED = "capped"  # the day's nudge cap was already reached: we stay quiet
    MISSED = "missed"  # the bot was down past the evening
    FAILED = "failed"  # Telegram refused for good (the person blocked the bot)
    MAYBE = "maybe"  # fate unknown (timed out, dropped, in flight at a crash): never resent


class WeeklyDigest(Base):
    """One row per person and week: the unique constraint is what makes it "once a week".

    The row is written when the slot is drawn, before anything is sent, so a restart or a
    second bot process finds it and neither draws again nor sends again.
    """

    __tablename__ = "weekly_digests"
    __table_args__ = (
        UniqueConstraint("user_id", "week_start", name="uq_weekly_digests_user_week"),
        Index("ix_weekly_digests_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)  # the Monday of the week it reflects on
    due_at: Mapped[datetime]  # local Sunday 19:00 ± 30 min, as a UTC instant
    status: Mapped[str] = mapped_column(String(16), default=DigestStatus.PLANNED)
    sent_at: Mapped[datetime | None]
    # The outbox's lease columns (revision 0005): a capped number of attempts, a lease with
    # an owner token, so a crashed sender's rows end as "maybe" instead of going out twice.
    attempt: Mapped[int] = mapped_column(default=0, server_default="0")
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(36))
