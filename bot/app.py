"""The one factory that wires settings, database, clock and handlers into a PTB Application."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from telegram import BotCommand, LinkPreviewOptions, MenuButtonWebApp, Update, WebAppInfo
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot import callback_data as cd
from bot.aiohttp_request import AiohttpRequest
from bot.context import BotApplication, BotContext, Services
from bot.handlers import (
    account,
    data_rights,
    help,
    language,
    moments,
    nudges,
    onboarding,
    pairing,
    sharing,
    weekly,
)
from bot.handlers import settings as settings_handlers
from bot.observed import ObservedApplication
from bot.rate_limiter import TelegramRateLimiter
from bot.settings import Settings
from bot.telegram_sender import TelegramSender
from bot.unit_of_work import Handler, in_unit_of_work, once_per_update
from bot.webapp import webapp_routes
from bot.webapp.serve import WebAppServer
from domain.values.clock import Clock, system_clock
from messages import language as language_texts
from messages import settings as settings_texts
from messages import texts, webapp
from messages.i18n import LANGUAGES, SOURCE, _, every_language, speaking
from scheduling.delivery import Deliveries
from scheduling.digest import DIGEST_EVERY, render_pool
from scheduling.rate_limit import SendRateLimiter
from scheduling.service import (
    DISPATCH_EVERY,
    HOUSEKEEPING_EVERY,
    LEARN_EVERY,
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
) -> ObservedApplication:
    """A ready-to-run Application (without an updater in webhook mode: Telegram POSTs).

    ``clock`` and ``rng`` are injectable so tests can move time and fix the draws;
    ``run_jobs=False`` leaves the periodic nudge jobs to the caller (tests tick them);
    ``limiter`` replaces Telegram's pacing (tests that hold conversations make it quicker).

    Everything the bot sends on its own goes through one delivery engine (nudges, digests,
    the outbox); the unit of work wakes it after committing an update that wrote outbox rows.
    """
    # One limiter for everything sent to chats: replies, relays, nudges and digests share
    # Telegram's limits, so they share the pacing.
    if limiter is None:
        limiter = SendRateLimiter()
    builder = (
        ApplicationBuilder()
        .application_class(ObservedApplication)
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
        # Paces messages to chats; a 429 surfaces to the caller (the delivery engine
        # reschedules the row durably) instead of a request sleeping for retry_after.
        .rate_limiter(TelegramRateLimiter(limiter))
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if settings.mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    assert isinstance(application, ObservedApplication)
    deliveries = Deliveries(
        db,
        TelegramSender(application.bot),
        clock,
        limiter=limiter,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
    service = NudgeService(
        db,
        deliveries,
        clock,
        rng or random.Random(),
        # One drawing process for digest charts (started on the first chart only).
        render_executor=render_pool() if run_jobs else None,
        randomize=settings.nudge_randomization,
        note_retention=timedelta(days=settings.note_retention_days),
    )
    services = Services(db=db, clock=clock, nudges=service, web_app_url=settings.web_app_url)
    application.bot_data["services"] = services
    if settings.web_app_port is not None and settings.mode == "polling":
        routes = webapp_routes(services, settings.telegram_bot_token)
        application.bot_data[WEB_APP_SERVER] = WebAppServer(
            Starlette(routes=routes), settings.web_app_port
        )
    register_handlers(application)
    if run_jobs:
        schedule_jobs(application, service, limiter)
    return application


def schedule_jobs(
    application: BotApplication, service: NudgeService, limiter: SendRateLimiter
) -> None:
    """A handful of periodic jobs for everyone (APScheduler via PTB's JobQueue).

    The database holds the schedule itself, so these jobs hold no per-person state and a
    restart changes nothing; of several processes, only the sender runs them
    (``scheduling/leadership.py``).
    """
    jobs = application.job_queue
    assert jobs is not None, "install python-telegram-bot[job-queue]"

    async def plan(_: BotContext) -> None:
        await service.tick(service.plan)

    async def dispatch(_: BotContext) -> None:
        await service.tick(service.dispatch)

    async def housekeeping(_: BotContext) -> None:
        await service.tick(service.housekeeping)

    jobs.run_repeating(plan, interval=PLAN_EVERY, first=1, name="plan nudges")
    jobs.run_repeating(dispatch, interval=DISPATCH_EVERY, first=1, name="dispatch")
    jobs.run_repeating(housekeeping, interval=HOUSEKEEPING_EVERY, first=60, name="housekeeping")

    async def digest(_: BotContext) -> None:
        await service.tick(service.digests)

    async def learn(_: BotContext) -> None:
        await service.tick(service.learn)

    jobs.run_repeating(learn, interval=LEARN_EVERY, first=300, name="learn from nudges")

    jobs.run_repeating(digest, interval=DIGEST_EVERY, first=30, name="weekly digest")


#: ``bot_data`` key of the Mini App's server in polling mode (when ``WEB_APP_PORT`` is set).
WEB_APP_SERVER = "web_app_server"


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menu and the bot's profile, so people discover what it does from
    the "/" button and the empty chat: once for everyone (English), then per shipped
    language, which Telegram shows to people whose app is in that language; with a Mini App,
    make it the menu button and start serving it."""
    bot = application.bot
    menu = (*texts.COMMANDS, *settings_texts.COMMANDS, language_texts.COMMAND)
    for spoken in LANGUAGES:
        code = "" if spoken == SOURCE else spoken
        with speaking(spoken):
            commands = [BotCommand(c, _(d)) for c, d in menu]
            description, short = texts.DESCRIPTION, texts.SHORT_DESCRIPTION
        await bot.set_my_commands(commands, language_code=code or None)
        await bot.set_my_description(description, language_code=code or None)
        await bot.set_my_short_description(short, language_code=code or None)
    services = application.bot_data.get("services")
    if isinstance(services, Services) and services.web_app_url is not None:
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(webapp.MENU_BUTTON, WebAppInfo(services.web_app_url))
        )
    server = application.bot_data.get(WEB_APP_SERVER)
    if isinstance(server, WebAppServer):
        await server.start()


async def _post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop serving the Mini App; cancel an outbox pass in progress: its rows stay due (or
    end as "maybe")."""
    server = application.bot_data.get(WEB_APP_SERVER)
    if isinstance(server, WebAppServer):
        await server.stop()
    services = application.bot_data.get("services")
    if isinstance(services, Services) and services.nudges is not None:
        await services.nudges.close()


#: Messages without words (a shared location sets the time zone instead).
_NOT_TEXT = (
    filters.PHOTO
    | filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.CONTACT
    | filters.Dice.ALL
    | filters.POLL
)


def register_handlers(application: BotApplication) -> None:
    """Every handler, in the order they match: commands, buttons, then free text.

    Each one runs in its own unit of work (:func:`bot.unit_of_work.in_unit_of_work`).
    """
    private = filters.ChatType.PRIVATE
    # New messages only: an edit of one already acted on must not act twice (help.edited).
    new = private & filters.UpdateType.MESSAGE
    commands = {
        "start": onboarding.start,
        "timezone": onboarding.timezone_command,
        "invite": pairing.invite_command,
        "pair": pairing.pair_command,
        "moment": moments.moment_menu,
        "thinking": moments.thinking_of_you,
        "unpair": account.unpair_command,
        "forget_me": account.forget_command,
        "export": data_rights.export_command,
        "help": help.help_command,
        "week": weekly.week_command,
        "history": sharing.history_command,
        "digest": weekly.digest_command,
        "language": language.language_command,
        **settings_handlers.COMMANDS,
    }
    for name, handler in commands.items():
        application.add_handler(CommandHandler(name, in_unit_of_work(handler), filters=new))
    menu_buttons = {
        texts.BUTTON_LOG_MOMENT: moments.moment_menu,
        texts.BUTTON_THINKING: moments.thinking_of_you,
        texts.BUTTON_HELP: help.help_command,
    }
    for label, handler in menu_buttons.items():
        # The button reads in the person's language (and may be from before a switch).
        labels = sorted(every_language(label))
        application.add_handler(
            MessageHandler(new & filters.Text(labels), in_unit_of_work(handler))
        )

    buttons: dict[type[cd.CallbackData], Handler] = {
        cd.Invite: pairing.invite_button,
        cd.Timezone: onboarding.timezone_button,
        cd.PairYes: pairing.pair_yes,
        cd.PairNo: pairing.pair_no,
        cd.Moment: moments.moment_tapped,
        cd.LoveBack: moments.love_back,
        cd.Tell: sharing.tell_tapped,
        cd.Thanks: sharing.thanks_tapped,
        cd.SkipNote: sharing.skip_tapped,
        cd.OfferYes: sharing.offer_yes,
        cd.OfferNo: sharing.offer_no,
        cd.Unpair: account.unpair_confirmed,
        cd.Forget: account.forget_confirmed,
        cd.Cancel: account.cancel,
        cd.Nudge: nudges.nudge_tapped,
        cd.Week: weekly.week_button,
        cd.Fewer: weekly.fewer_button,
        cd.Settings: settings_handlers.settings_button,
        cd.Language: language.language_tapped,
    }
    for data, handler in buttons.items():
        application.add_handler(
            CallbackQueryHandler(in_unit_of_work(handler), pattern=data.pattern())
        )
    application.add_handler(CallbackQueryHandler(in_unit_of_work(help.stale_button)))

    application.add_handler(
        MessageHandler(new & filters.COMMAND, in_unit_of_work(help.unknown_command))
    )
    # A shared location (not a live location's later edits): its time zone, nothing kept.
    application.add_handler(
        MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.LOCATION,
            in_unit_of_work(onboarding.shared_location),
        )
    )
    application.add_handler(MessageHandler(new & _NOT_TEXT, once_per_update(help.not_text)))
    application.add_handler(MessageHandler(new & filters.TEXT, in_unit_of_work(help.text_message)))
    application.add_handler(
        MessageHandler(
            private & filters.UpdateType.EDITED_MESSAGE & filters.TEXT,
            once_per_update(help.edited),
        )
    )
    # Groups: only a new message can speak to the bot; a channel's posts never do.
    application.add_handler(
        MessageHandler(
            ~private & filters.UpdateType.MESSAGE & filters.TEXT, once_per_update(help.in_a_group)
        )
    )
    blocked = in_unit_of_work(account.blocked_or_unblocked)
    joined = once_per_update(help.joined_a_group)

    async def membership(update: Update, context: BotContext) -> None:
        """The bot's own membership: a person blocked it or came back, or a group added it."""
        chat = update.effective_chat
        await (blocked if chat is not None and chat.type == ChatType.PRIVATE else joined)(
            update, context
        )

    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(help.on_error)
