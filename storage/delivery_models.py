"""The update inbox and the outbox: what makes updates idempotent and sends durable.

``processed_updates`` keys on each Telegram ``update_id`` the bot has handled (never on a
running maximum: Telegram restarts ids after a quiet week), written in the same transaction
as the update's effects, so a repeated update changes nothing and sends nothing.

``outbox`` holds every message the bot sends on its own that is not a planned nudge or a
Sunday digest (those rows are their own outbox, with the same lease columns): relays of
"thinking of you", "send love back", written notes, and the notices "your partner has
left" / "your partner can't be reached". A row is written in the same transaction as what
caused it and carries a structured payload, rendered only when it is sent.

Revision ``0005_inbox_outbox`` creates exactly what is declared here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ProcessedUpdate(Base):
    """One handled Telegram update; rows older than a few days are deleted by housekeeping."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_handled_at", "handled_at"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime]


class OutboxStatus:
    """The life of an outbox row (strings, like ``NudgeStatus``)."""

    PENDING = "pending"  # waiting to be sent (at once, or after a back-off)
    SENDING = "sending"  # claimed under a lease by one sender
    SENT = "sent"  # Telegram confirmed it
    MAYBE = "maybe"  # its fate is unknown (timed out, dropped, in flight at a crash): never resent
    SKIPPED = "skipped"  # not needed any more (the couple ended, the person is gone)
    FAILED = "failed"  # refused for good (blocked) or out of attempts

    OPEN = (PENDING, SENDING)


OPEN_OUTBOX = text("status IN ('pending', 'sending')")


class OutboxMessage(Base):
    """One message the bot owes someone, sent once (or, honestly, "maybe" once)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_open_due", "due_at", sqlite_where=OPEN_OUTBOX, postgresql_where=OPEN_OUTBOX
        ),
        Index("ix_outbox_chat_id", "chat_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # the receiver (a private chat is the user)
    #: Who caused it (the sender of a relay), so ``/forget_me`` can find it; NULL for notices.
    sender_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    #: When set, only delivered while the receiver is still in this couple.
    couple_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # JSON, rendered by the bot at send time
    #: Makes "the same thing owed twice" one row (e.g. ``relay:<event id>``).
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempt: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(36))
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
