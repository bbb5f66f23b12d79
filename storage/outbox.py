"""The outbox: messages the bot owes someone, written in the transaction that caused them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.delivery_models import OutboxMessage, OutboxStatus


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    sender_id: int | None = None,
    couple_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Owe ``chat_id`` one message; ``None`` when this ``dedupe_key`` is already owed."""
    if dedupe_key is not None:
        existing = await session.execute(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing.first() is not None:
            return None
    message = OutboxMessage(
        chat_id=chat_id,
        sender_id=sender_id,
        couple_id=couple_id,
        kind=kind,
        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        dedupe_key=dedupe_key,
        created_at=now,
        due_at=now,
        status=OutboxStatus.PENDING,
        attempt=0,
    )
    session.add(message)
    await session.flush()
    return message
