"""``/export``: a person's own data, sent to them as a JSON file."""

from __future__ import annotations

import json
from functools import partial

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import message
from bot.unit_of_work import Reply
from domain import export
from messages import texts

EXPORT_FILE_NAME = "microconnect-my-data.json"


async def export_command(update: Update, context: BotContext) -> list[Reply]:
    """Everything stored about the person (and nothing of their partner's), as a file."""
    data = await export.my_data(context.work)
    document = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return [
        partial(
            message(update).reply_document,
            document,
            filename=EXPORT_FILE_NAME,
            caption=texts.EXPORT_CAPTION,
        )
    ]
