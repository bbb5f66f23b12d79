"""Schema, migrations and every query."""

from storage import delivery_models, limits, weekly_models  # noqa: F401  (every table on Base.metadata)
