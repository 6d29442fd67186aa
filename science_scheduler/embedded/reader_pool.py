"""Fix 7 of `mongoeco_fixes`: reuse the SQLite connections of mongoeco's scan readers.

Every find that may return more than one document gets a dedicated SQLite connection: mongoeco
opens one (and sets its journal mode), loads the collection's index catalog into it, reads, and
closes it. Opening and closing was 16% of the embedded server's time for a page of
observations, four finds per request. A reader's connection only ever reads, in a transaction
that closing rolls back, so the fix keeps a few of them per engine: a closed reader's
connection is rolled back and kept, and the next reader takes it. Catalogs cached on a kept
connection stay correct: mongoeco checks them against `PRAGMA data_version`, which changes
whenever another connection commits.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from mongoeco.engines import SQLiteEngine
from mongoeco.engines._sqlite_connection import SQLiteConnection
from mongoeco.engines._sqlite_reader import SQLiteScanReader

_KEPT_PER_ENGINE = 8
_POOL_ATTRIBUTE = "_science_scheduler_reader_pool"

_original_create = SQLiteEngine._create_sqlite_connection
_original_open: Callable[[SQLiteScanReader], None] = SQLiteScanReader._open
_opening = threading.local()


class _ReaderConnection(SQLiteConnection):
    """A reader's connection: closing it returns it to its engine's pool while there is room."""

    kept_in: deque[_ReaderConnection] | None = None

    def close(self) -> None:
        pool = self.kept_in
        if pool is not None and len(pool) < _KEPT_PER_ENGINE:
            try:
                self.rollback()  # ends the reader's snapshot
            except sqlite3.Error:
                super().close()
                return
            pool.append(self)
            return
        super().close()


def _pool_of(engine: SQLiteEngine) -> deque[_ReaderConnection]:
    pool: deque[_ReaderConnection] | None = engine.__dict__.get(_POOL_ATTRIBUTE)
    if pool is None:
        pool = engine.__dict__.setdefault(_POOL_ATTRIBUTE, deque())
    return pool


def _create_connection(self: SQLiteEngine) -> sqlite3.Connection:
    if not getattr(_opening, "reader", False):
        connection: sqlite3.Connection = _original_create(self)
        return connection
    pool = _pool_of(self)
    try:
        return pool.pop()
    except IndexError:
        pass
    reader = sqlite3.connect(self._path, check_same_thread=False, factory=_ReaderConnection)
    try:
        reader.execute("PRAGMA journal_mode=WAL")
        reader.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        sqlite3.Connection.close(reader)
        raise
    reader.kept_in = pool
    return reader


def _open_with_a_kept_connection(self: SQLiteScanReader, *args: Any, **kwargs: Any) -> None:
    _opening.reader = True
    try:
        _original_open(self, *args, **kwargs)
    finally:
        _opening.reader = False


def apply() -> None:
    """Install the fix (idempotent). Only for file databases: `:memory:` never has readers."""
    SQLiteEngine._create_sqlite_connection = _create_connection  # type: ignore[method-assign]
    SQLiteScanReader._open = _open_with_a_kept_connection  # type: ignore[method-assign]
