"""What counts as "the database is not answering": waited out, never a bug hidden."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy import exc

from storage.database import Outage, unavailable


def _sqlite(message: str) -> exc.OperationalError:
    return exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))


def test_a_locked_sqlite_file_or_a_refused_connection_is_waited_out() -> None:
    assert unavailable(_sqlite("database is locked"))
    assert unavailable(ConnectionRefusedError())
    assert unavailable(exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")))


def test_a_bug_is_not_mistaken_for_an_outage() -> None:
    assert not unavailable(_sqlite("no such table: users"))
    assert not unavailable(exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not unavailable(ValueError("bad input"))


def test_an_outage_is_one_line_down_and_one_line_back(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    outage = Outage()
    outage.over()  # nothing to say while all is well
    for _ in range(5):
        outage.noticed(ConnectionRefusedError())
    outage.over()
    outage.over()
    assert [r.getMessage().split(" (")[0].split(" after")[0] for r in caplog.records] == [
        "the database is not answering",
        "the database is back",
    ]
