"""Pure value types and the pure rules over them: rituals, windows, policies, summaries.

Nothing here does I/O (no database, no network, no Telegram): ``messages/`` may import
these and nothing else of ``domain/``, and import-linter checks it (``pyproject.toml``).
"""
