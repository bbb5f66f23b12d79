"""Every metric the bot exports on ``/metrics``, defined once (prometheus-client).

They live here, in ``scheduling/``, because the delivery engine counts where outcomes are
decided; ``bot/`` counts updates and Telegram errors with the same objects. Labels are
small closed sets (update types, outcomes, tables): never a chat id or a text.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge, Histogram

UPDATES: Final = Counter(
    "microconnect_updates",
    "Telegram updates handled, by type and outcome (handled, repeat, stranger, ignored, failed).",
    ["type", "outcome"],
)
UPDATE_SECONDS: Final = Histogram(
    "microconnect_update_seconds",
    "Time from receiving an update to having replied, by type.",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
NUDGES_PLANNED: Final = Counter("microconnect_nudges_planned", "Nudges planned.")
DELIVERIES: Final = Counter(
    "microconnect_deliveries",
    "Rows the delivery engine finished or put off, by source (nudge, outbox: relays and "
    "notices, digest) and outcome (sent, maybe, failed, missed, retried, blocked…).",
    ["source", "outcome"],
)
DIGESTS_PLANNED: Final = Counter(
    "microconnect_digests_planned", "Sunday digests given a slot (sent ones: deliveries)."
)
OUTBOX_DEPTH: Final = Gauge(
    "microconnect_outbox_depth", "Outbox rows still to send (read when /metrics is scraped)."
)
OUTBOX_OLDEST_SECONDS: Final = Gauge(
    "microconnect_outbox_oldest_seconds",
    "Age of the oldest outbox row still to send; 0 when there is none.",
)
TELEGRAM_ERRORS: Final = Counter(
    "microconnect_telegram_errors",
    "Errors Telegram (or the way to it) gave, by kind (the PTB exception's name).",
    ["kind"],
)
