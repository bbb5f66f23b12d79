"""Names vulture cannot see being used: what frameworks call, and what tests build with.

``vulture`` runs in CI over the production packages with this file; anything else it reports
is dead code and goes. Keep each entry's reason next to it.
"""

# ruff: noqa
# mypy: ignore-errors
from bot.aiohttp_request import AiohttpRequest
from bot.rate_limiter import TelegramRateLimiter
from bot.settings import DatabaseSettings, Settings
from bot.web.runner import WebServer
from domain.values.clock import ManualClock
from domain.values.excursion import Interval
from domain.values.policy import NudgePolicy, default_policy
from scheduling.delivery import DeliveryReport
from scheduling.learning import AdaptReport
from domain.values.planner import plan_day
from scheduling.rate_limit import SendRateLimiter
from scheduling.sender import OutgoingNotice
from scheduling.service import NudgeService
from storage.migrate import pending_revisions
from storage.models import Base
from storage.types import UTCDateTime

# python-telegram-bot calls these (BaseRequest and BaseRateLimiter hooks).
AiohttpRequest.initialize
AiohttpRequest.shutdown
AiohttpRequest.do_request
pool_timeout  # part of BaseRequest.do_request's signature
write_timeout  # likewise (aiohttp has no separate write timeout)
TelegramRateLimiter.initialize
TelegramRateLimiter.shutdown
TelegramRateLimiter.process_request
# uvicorn's Server reads it: how it is asked to stop (bot/webapp/serve.py).
should_exit
# pydantic reads these.
Settings.model_config
DatabaseSettings.model_config
Settings._looks_like_a_token
Settings._case
Settings._required_for_webhooks
Settings._secret_telegram_accepts
Settings._upper
Settings._https
Settings._web_app_https
# SQLAlchemy reads these.
Base.type_annotation_map
Base.metadata
UTCDateTime.impl
UTCDateTime.cache_ok
UTCDateTime.process_bind_param
UTCDateTime.process_result_value
_.isolation_level  # the sqlite3 driver's own switch (storage/database.py)
# Alembic reads these in every revision.
down_revision
branch_labels
depends_on
downgrade
# logging.LogRecord's field, rewritten by the redaction filter.
_.msg
# Reports and messages: fields read by logs, tests and people debugging.
DeliveryReport.skipped
DeliveryReport.missed
DeliveryReport.retried
DeliveryReport.lost
DeliveryReport.postponed
OutgoingNotice.outbox_id
SendRateLimiter.chats_tracked
# Test and benchmark support, deliberately kept with the code it stands for:
ManualClock  # the injected clock of every test and benchmark
ManualClock.advance
default_policy  # the defaults as a policy, what tests and the planner's oracle start from
NudgePolicy.with_enabled
NudgePolicy.with_bedtime
plan_day  # one person's day: the reference the shared day templates are checked against
NudgeService.settled  # tests wait on it before saying "nothing was sent"
NudgeService.run_all  # one whole scheduler tick, for tests and tools
pending_revisions  # the migration drift test

# uvicorn calls it; the runner handles the signals itself, and sets should_exit to stop it.
WebServer.capture_signals
WebServer.should_exit
Interval.covers  # the estimator's simulation tests and bench_mrt check their intervals
AdaptReport.estimated  # tests and tools read how many estimates a run stored

# messages/i18n.translate_constants sets a messages module's class; Python reads it.
import types

types.ModuleType.__class__
