"""The schema of record: people, couples, invites and the connection events they create.

Every change to these classes needs an Alembic revision in ``storage/migrations/versions``;
``tests/test_migrations.py`` fails when the models and the migrations drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
