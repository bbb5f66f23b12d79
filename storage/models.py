"""The schema of record: people, couples, invites and the connection events they create.

Every change to these classes needs an Alembic revision in ``storage/migrations/versions``;
``tests/test_migrations.py`` fails when the models and the migrations drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import false

from storage.types import UTCDateTime

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class User(Base):
    """A person who has talked to the bot in a private chat (the chat id is the user id)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(128))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The one active couple; a plain column makes "at most one couple" a schema fact.
    couple_id: Mapped[int | None] = mapped_column(
        ForeignKey("couples.id", ondelete="SET NULL", use_alter=True), index=True
    )
    # What the next typed text means ("thinking_note", ...): kept here, not in process
    # memory, so that any bot process can take the next message.
    awaiting: Mapped[str | None] = mapped_column(String(64))
    # False once Telegram says the person blocked the bot; no more nudges then.
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Nudge settings; NULL means "the defaults", so a default can improve for everyone.
    quiet_hours: Mapped[str | None] = mapped_column(String(16))  # "23:00-06:30" or "off"
    paused_until: Mapped[datetime | None]
    # The last local date whose nudges are planned, so hourly planning skips this person.
    planned_through: Mapped[date | None] = mapped_column(Date)
    # "No Sunday digest, thanks" (issue #4); the weekly reflection on request still works.
    digest_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A relay from the partner during this person's quiet hours: False (the default) sends
    # it silently, True keeps it until their quiet hours end (issue #9).
    relays_wait_for_morning: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The language the person chose with /language (issue #14); NULL: follow Telegram's.
    language: Mapped[str | None] = mapped_column(String(8))
    # Telegram's ``language_code`` as last seen (refreshed on every update).
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    # A pending destructive confirmation ("forget:<nonce>@<unix>"): the button must carry
    # this nonce, so a stale or forged yes does nothing (issue #11).
    confirmation: Mapped[str | None] = mapped_column(String(64))


class Couple(Base):
    """Two people who said yes to each other. Ended couples stay, so history keeps its context."""

    __tablename__ = "couples"
    __table_args__ = (CheckConstraint("first_id <> second_id", name="two_people"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    second_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class Invite(Base):
    """A pairing code, stored only as a hash: a database leak reveals no usable code."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    inviter_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )


class PairAttempt(Base):
    """A code someone typed that led nowhere; counted to slow down guessing."""

    __tablename__ = "pair_attempts"
    __table_args__ = (Index("ix_pair_attempts_user_at", "user_id", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime]


class ConnectionEvent(Base):
    """One micro-connection: a logged moment, a relayed "thinking of you", an answered nudge.

    ``dedupe_key`` turns a double tap on the same button into one event (unique per actor).
    """

    __tablename__ = "connection_events"
    __table_args__ = (
        UniqueConstraint("actor_id", "dedupe_key", name="uq_connection_events_actor_dedupe"),
        Index("ix_connection_events_couple_created", "couple_id", "created_at"),
        Index("ix_connection_events_actor_created", "actor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # The nudge this answered, so a summary knows how quickly nudges are acted on.
    nudge_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("nudges.id", ondelete="SET NULL")
    )


class RitualSetting(Base):
    """One person's choices and memory for one ritual (created on first change or nudge)."""

    __tablename__ = "ritual_settings"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ritual: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool | None] = mapped_column(Boolean)  # NULL: the ritual's default
    window: Mapped[str | None] = mapped_column(String(16))  # "11:30-14:30"; NULL: default
    ignored_in_a_row: Mapped[int] = mapped_column(default=0)  # drives the gentle back-off
    # The chance an available day's nudge is sent (issue #12); NULL: the default, 0.6.
    probability: Mapped[float | None] = mapped_column(Float)
    # The latest estimate of what this ritual's nudges do for this person, as JSON
    # (domain.values.adaptation.StoredEffect), written by the daily adaptation.
    effect: Mapped[str | None] = mapped_column(Text)


class ProbabilityChange(Base):
    """Every change of a ritual's nudge probability, with why: what /settings explains."""

    __tablename__ = "probability_changes"
    __table_args__ = (Index("ix_probability_changes_user_ritual", "user_id", "ritual"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    ritual: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
    old: Mapped[float] = mapped_column(Float)
    new: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(16))  # domain.values.adaptation.Reason


class NudgeStatus:
    """The life of a nudge row. Strings, not an Enum type, to keep migrations simple."""

    PLANNED = "planned"  # waiting for its due time
    SENDING = "sending"  # claimed by one dispatcher under a lease
    SENT = "sent"  # delivered, waiting for a tap
    ACTED = "acted"  # the person did it (a connection event exists)
    DECLINED = "declined"  # "Not today"
    IGNORED = "ignored"  # no answer by the end of the day
    MISSED = "missed"  # the bot was down past its window
    SKIPPED = "skipped"  # not needed any more (already did it, paused, unpaired, cap)
    WITHHELD = "withheld"  # available, and the draw said "no nudge today": nothing sent
    FAILED = "failed"  # Telegram refused for good (blocked), or out of attempts
    MAYBE = "maybe"  # fate unknown (timed out, dropped, in flight at a crash): never resent

    OPEN = (PLANNED, SENDING)


#: Literal conditions, shared by partial indexes and the queries that must use them: a
#: bound parameter would hide from SQLite that the index applies.
OPEN_NUDGE = text("status IN ('planned', 'sending')")
SENT_NUDGE = text("status = 'sent'")
#: A decision point the person was available for (issue #12), whose outcome is not known yet.
OPEN_OUTCOME = text(
    "outcome IS NULL AND probability IS NOT NULL AND "
    "status IN ('sent', 'acted', 'declined', 'ignored', 'maybe', 'withheld')"
)
#: The statuses of a decision point the person was available for.
AVAILABLE_STATUSES = ("sent", "acted", "declined", "ignored", "maybe", "withheld")


class Nudge(Base):
    """A planned nudge: the database is the schedule of record, not process memory.

    Millions of rows are planned a day, so the table carries no foreign keys and only the
    indexes its queries need (why: migration 0004). The person and couple are links the code
    keeps: rows are planned only for people just locked, and forgotten with them.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("user_id", "local_date", "ritual", name="uq_nudges_user_day_ritual"),
        Index("ix_nudges_open_due", "due_at", sqlite_where=OPEN_NUDGE, postgresql_where=OPEN_NUDGE),
        Index("ix_nudges_sent_at", "sent_at", sqlite_where=SENT_NUDGE, postgresql_where=SENT_NUDGE),
        Index(
            "ix_nudges_open_outcome",
            "due_at",
            sqlite_where=OPEN_OUTCOME,
            postgresql_where=OPEN_OUTCOME,
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    couple_id: Mapped[int]  # the couple it was planned for: never sent once that one ended
    ritual: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime]
    window_end_at: Mapped[datetime]
    # Server defaults as well: bulk planning leaves these columns out of its COPY.
    status: Mapped[str] = mapped_column(
        String(16), default=NudgeStatus.PLANNED, server_default=NudgeStatus.PLANNED
    )
    attempt: Mapped[int] = mapped_column(default=0, server_default="0")
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(36))  # the sender holding the lease
    phrasing: Mapped[int] = mapped_column(default=0)
    snoozed: Mapped[bool] = mapped_column(default=False, server_default=false())
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    # A decision point (issue #12): the chance it had of being sent and the draw, made when
    # planned and used only if the person is available when it is due (a status other
    # than skipped or missed). NULL: planned without randomization (always sent).
    probability: Mapped[float | None] = mapped_column(Float)
    treated: Mapped[bool | None] = mapped_column(Boolean)
    # Whether the person did the ritual's act within OUTCOME_WINDOW of ``due_at``, by the
    # nudge's button or on their own; written once that window has closed.
    outcome: Mapped[bool | None] = mapped_column(Boolean)


class RelayOffer(Base):
    """Free text offered to the partner ("Send this to Bob? 💌"), kept until Yes or No.

    The words stay here, never in callback data (64 bytes); the buttons name only the row,
    and answering deletes it, so a Yes is used once. Bound to the couple it was offered in.
    """

    __tablename__ = "relay_offers"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
