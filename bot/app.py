"""The one factory that wires settings, database, clock and handlers into a PTB Application."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.context import BotApplication, BotContext, Services
from bot.handlers import account, help, moments, onboarding, pairing
from bot.settings import Settings
from domain.clock import Clock, system_clock
from messages import texts
from storage.database import Database


def build_application(
    settings: Settings, db: Database, *, clock: Clock = system_clock
) -> BotApplication:
    """A ready-to-run Application; ``clock`` is injectable so tests can move time."""
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .post_init(_post_init)
        .build()
    )
    application.bot_data["services"] = Services(db=db, clock=clock)
    register_handlers(application)
    return application


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menu, so people can discover commands from the "/" button."""
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])


def register_handlers(application: BotApplication) -> None:
    """Every handler, in the order they match: commands, buttons, then free text."""
    private = filters.ChatType.PRIVATE
    commands = {
        "start": onboarding.start,
        "timezone": onboarding.timezone_command,
        "invite": pairing.invite_command,
        "pair": pairing.pair_command,
        "moment": moments.moment_menu,
        "thinking": moments.thinking_of_you,
        "unpair": account.unpair_command,
        "forget_me": account.forget_command,
        "help": help.help_command,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    menu_buttons = {
        texts.BUTTON_LOG_MOMENT: moments.moment_menu,
        texts.BUTTON_THINKING: moments.thinking_of_you,
        texts.BUTTON_HELP: help.help_command,
    }
    for label, callback in menu_buttons.items():
        application.add_handler(MessageHandler(private & filters.Text([label]), callback))

    buttons = {
        callbacks.INVITE: pairing.invite_button,
        callbacks.TIMEZONE: onboarding.timezone_button,
        callbacks.PAIR_YES: pairing.pair_yes,
        callbacks.PAIR_NO: pairing.pair_no,
        callbacks.MOMENT: moments.moment_tapped,
        callbacks.LOVE_BACK: moments.love_back,
        callbacks.UNPAIR: account.unpair_confirmed,
        callbacks.FORGET: account.forget_confirmed,
        callbacks.CANCEL: account.cancel,
    }
    for action, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=callbacks.pattern(action)))
    application.add_handler(CallbackQueryHandler(help.stale_button))

    application.add_handler(MessageHandler(private & filters.COMMAND, help.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, help.text_message))
    application.add_handler(
        MessageHandler(~private & (filters.TEXT | filters.COMMAND), help.not_private)
    )
    application.add_error_handler(help.on_error)
