"""The Sunday digest's schema: who got which week's reflection, and who would rather not.

Kept apart from :mod:`storage.models` so the weekly reflection can evolve without touching
the core schema file; it shares the same ``Base`` (and so the same metadata), and Alembic's
``env.py`` imports this module so the migrations and the drift test see it.

Revision ``0003_weekly_digest`` creates exactly what is declared here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, add_mapped_attribute, mapped_column

from storage.models import Base, User


class DigestStatus:
    """The life of one person's digest for one week (strings, like ``NudgeStatus``)."""

    PLANNED = "planned"  # slot drawn, waiting for its local Sunday-evening time
    SENDING = "sending"  # claimed by one process; never resent, so never doubled
    SENT = "sent"
    SKIPPED = "skipped"  # opted out, unpaired, paused, or a quiet fortnight (no nagging)
    CAPPED = "capped"  # the day's nudge cap was already reached: we stay quiet
    MISSED = "missed"  # the bot was down past the evening
    FAILED = "failed"  # Telegram refused for good (the person blocked the bot)


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


# The opt-out lives on the person (like their other preferences), declared here so that
# storage/models.py stays untouched; add_mapped_attribute puts it on the users Table too.
# (Typed Any: a MappedColumn is accepted at runtime, but the stub only names MapperProperty.)
_digest_opt_out: Any = mapped_column(Boolean, nullable=False, default=False, server_default=false())
add_mapped_attribute(User, "digest_opt_out", _digest_opt_out)

USERS: Final = cast(Table, User.__table__)
#: Typed handle on ``users.digest_opt_out`` (mypy cannot see attributes added at runtime).
DIGEST_OPT_OUT: Final = cast("Column[bool]", USERS.c.digest_opt_out)
