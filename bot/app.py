"""The one factory that wires settings, database, clock and handlers into a PTB Application."""

from __future__ import annotations

import random
from functools import partial
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
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
from bot.aiohttp_request import AiohttpRequest
from bot.context import BotApplication, BotContext, Services
from bot.handlers import account, help, moments, nudges, onboarding, pairing, weekly
from bot.handlers import settings as settings_handlers
from bot.nudge_sender import TelegramNudgeSender, tell_partner_unreachable
from bot.rate_limiter import TelegramRateLimiter
from bot.settings import Settings
from domain.clock import Clock, system_clock
from messages import settings as settings_texts
from messages import texts
from scheduling.digest import DIGEST_EVERY, render_pool, run_digests
from scheduling.dispatcher import Dispatcher
from scheduling.rate_limit import SendRateLimiter
from scheduling.service import (
    DISPATCH_EVERY,
    HOUSEKEEPING_EVERY,
    PLAN_EVERY,
    NudgeService,
)
from storage.database import Database


def build_application(
    settings: Settings,
    db: Database,
    *,
    clock: Clock = system_clock,
    rng: random.Random | None = None,
    run_jobs: bool = True,
    limiter: SendRateLimiter | None = None,
) -> BotApplication:
    """A ready-to-run Application.

    ``clock`` and ``rng`` are injectable so tests can move time and fix the draws;
    ``run_jobs=False`` leaves the periodic nudge jobs to the caller (tests tick them);
    ``limiter`` replaces Telegram's pacing (tests that hold conversations make it quicker).
    """
    # One limiter for everything sent to chats: replies, relays, nudges and digests share
    # Telegram's limits, so they share the pacing.
    if limiter is None:
        limiter = SendRateLimiter()
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .request(AiohttpRequest(connection_pool_size=64))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .context_types(ContextTypes(context=BotContext))
        # Paces messages to chats; a 429 surfaces to the caller (the dispatcher reschedules
        # the nudge durably) instead of a request sleeping for Telegram's retry_after.
        .rate_limiter(TelegramRateLimiter(limiter))
        .concurrent_updates(True)
        .post_init(_post_init)
        .build()
    )
    service = NudgeService(
        db,
        Dispatcher(
            db,
            TelegramNudgeSender(application.bot),
            clock,
            limiter=limiter,
            on_blocked=partial(tell_partner_unreachable, application.bot, db),
        ),
        clock,
        rng or random.Random(),
    )
    application.bot_data["services"] = Services(db=db, clock=clock, nudges=service)
    register_handlers(application)
    if run_jobs:
        schedule_jobs(application, service, limiter)
    return application


def schedule_jobs(
    application: BotApplication, service: NudgeService, limiter: SendRateLimiter
) -> None:
    """A handful of periodic jobs for everyone (APScheduler via PTB's JobQueue).

    The database holds the schedule itself, so these jobs hold no per-person state and a
    restart, or a second process, changes nothing.
    """
    jobs = application.job_queue
    assert jobs is not None, "install python-telegram-bot[job-queue]"

    async def plan(_: BotContext) -> None:
        await service.plan()

    async def dispatch(_: BotContext) -> None:
        await service.dispatch()

    async def housekeeping(_: BotContext) -> None:
        await service.housekeeping()

    jobs.run_repeating(plan, interval=PLAN_EVERY, first=1, name="plan nudges")
    jobs.run_repeating(dispatch, interval=DISPATCH_EVERY, first=5, name="dispatch nudges")
    jobs.run_repeating(housekeeping, interval=HOUSEKEEPING_EVERY, first=60, name="housekeeping")

    digest_sender, pool = weekly.TelegramDigestSender(application.bot), render_pool()

    async def digest(_: BotContext) -> None:
        await run_digests(
            service.db,
            digest_sender,
            service.clock,
            service.rng,
            limiter=limiter,
            render_executor=pool,
            on_blocked=partial(tell_partner_unreachable, application.bot, service.db),
        )

    jobs.run_repeating(digest, interval=DIGEST_EVERY, first=30, name="weekly digest")


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menu, so people can discover commands from the "/" button."""
    menu = texts.COMMANDS + settings_texts.COMMANDS
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in menu])


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
        "week": weekly.week_command,
        "digest": weekly.digest_command,
        **settings_handlers.COMMANDS,
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
        settings_handlers.SETTINGS: settings_handlers.settings_button,
    }
    for action, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=callbacks.pattern(action)))
    application.add_handler(CallbackQueryHandler(nudges.nudge_tapped, pattern=nudges.PATTERN))
    application.add_handler(CallbackQueryHandler(weekly.week_button, pattern=weekly.PATTERN))
    application.add_handler(CallbackQueryHandler(help.stale_button))

    application.add_handler(MessageHandler(private & filters.COMMAND, help.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, help.text_message))
    application.add_handler(
        MessageHandler(~private & (filters.TEXT | filters.COMMAND), help.not_private)
    )
    application.add_error_handler(help.on_error)
