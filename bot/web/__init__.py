"""The bot's web side: Telegram's webhook, ``/healthz`` and ``/metrics`` (Starlette)."""
