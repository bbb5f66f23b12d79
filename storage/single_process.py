"""SQLite has one writer: one bot process per database file, enforced.

A second process on the same file would poll the same token and race the first for every
send; it refuses to start instead. The guard is an exclusive ``fcntl`` lock on
``<file>.lock``: the kernel releases it when the process exits, however it exits, so a
crashed bot never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy import make_url


class AlreadyRunning(RuntimeError):
    """Another process holds the database file."""


def lock_path(url: str) -> Path | None:
    """``<file>.lock`` for a SQLite file URL; None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(f"{parsed.database}.lock")


def hold_sqlite_file(url: str) -> int | None:
    """Take the file's lock for the life of this process (returns its descriptor).

    Raises :class:`AlreadyRunning` when another process holds it.
    """
    path = lock_path(url)
    if path is None:
        return None
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise AlreadyRunning(str(path)) from None
    return descriptor
