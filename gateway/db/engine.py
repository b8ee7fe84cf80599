"""Engine set-up per database, and the transaction helpers the services use."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, QueuePool, RootTransaction, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

# SQLite durability: WAL with synchronous=FULL fsyncs the log on every commit, so an
# acknowledged decision survives a power loss too. NORMAL (GATEWAY_SQLITE_SYNCHRONOUS)
# survives kill -9 but may lose the last commits on a power loss; it is faster because
# the single writer no longer waits for the disk (see bench/RESULTS.md).
SQLITE_SYNC_MODES = ("FULL", "NORMAL")
# How long a writer waits for another process's write lock before it fails (a 503).
BUSY_TIMEOUT_MS = 10_000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    # The commit that takes the log past this many pages copies it back into the file
    # (and syncs it): a quarter of SQLite's default 1,000 makes that commit's stall
    # shorter, the light-load tail of the check (bench/RESULTS.md). Never 0: see
    # docs/operations.md, Durability.
    "PRAGMA wal_autocheckpoint=250",
)


class WriteOutsideWriteTx(RuntimeError):
    """A statement that writes ran on SQLite outside write_tx: a programming error."""


# What writes: the statement's first keyword, or for a WITH any DML keyword after it.
_WRITE_START = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)
_DML_IN_WITH = re.compile(r"\s*WITH\b.*\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.I | re.S)


def writes(statement: str) -> bool:
    return bool(_WRITE_START.match(statement) or _DML_IN_WITH.match(statement))


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@dataclass(frozen=True)
class PoolLimits:
    """The most connections a process opens (half of them kept open when idle), and
    how long a request waits for a free one before it answers 503 (the database busy),
    not after SQLAlchemy's 30 s: every check queued behind it waits as long."""

    size: int = 40
    timeout: float = 5.0


DEFAULT_POOL = PoolLimits()


def build_engine(url: str, pool: PoolLimits = DEFAULT_POOL, synchronous: str = "FULL") -> Engine:
    """An engine for the URL. `synchronous` is SQLite's durability (SQLITE_SYNC_MODES);
    PostgreSQL ignores it (its commit durability is the server's settings)."""
    parsed = make_url(url)
    kept = max(1, pool.size // 2)
    sizing: dict[str, Any] = {
        "pool_size": kept,
        "max_overflow": pool.size - kept,
        "pool_timeout": pool.timeout,
    }
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, sizing, synchronous)
    return create_engine(url, **sizing)


def _sqlite_engine(url: str, sizing: dict[str, Any], synchronous: str) -> Engine:
    if synchronous not in SQLITE_SYNC_MODES:
        raise ValueError(f"SQLite synchronous mode must be one of {SQLITE_SYNC_MODES}")
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, **sizing, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (the
        # documented recipe), so that writers can take the lock up front below.
        dbapi_conn.isolation_level = None
        for pragma in SQLITE_PRAGMAS:
            dbapi_conn.execute(pragma)
        dbapi_conn.execute(f"PRAGMA synchronous={synchronous}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # write_tx begins IMMEDIATE, taking the write lock at the start: a writer never
        # reads a balance that another writer is about to change (serializes checks).
        # Every other transaction begins DEFERRED, so a reader never holds that lock
        # outside the writer mutex, where writers would meet it in SQLite's busy
        # handler. So whatever writes goes through write_tx (migrations too).
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine, "before_cursor_execute")
    def _writes_only_in_write_tx(conn: Connection, *args: Any) -> None:
        # Outside write_tx a write takes SQLite's lock behind the writer mutex's back,
        # where the other writers would wait for it in the busy handler (or it fails
        # at once on a stale snapshot): refused every time, so tests find
        # it, not a busy moment in production. The check's own statements run on the
        # driver (gateway.db.fast), always inside write_tx, and skip this event.
        statement: str = args[1]
        if conn.get_execution_options().get("sqlite_begin") != "IMMEDIATE" and writes(statement):
            raise WriteOutsideWriteTx(f"a write outside write_tx: {statement[:80]!r}")

    return engine


# SQLite admits one writer at a time. Threads of one process queue here, on a
# mutex, instead of in SQLite's busy handler, which polls with growing sleeps and
# turns contention into latency spikes. Other processes still meet busy_timeout.
_sqlite_writer = threading.Lock()


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """One read-write transaction: commit on success, roll back on any error."""
    if is_sqlite(engine):
        with _sqlite_writer, engine.connect() as conn:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            with _sqlite_tx(conn, conn.begin()):
                yield conn
    else:
        with engine.begin() as conn:
            yield conn


@contextmanager
def write_tx_if_free(engine: Engine) -> Iterator[Connection | None]:
    """write_tx on SQLite if its writer is free this instant, else None, having waited
    for nothing (neither the writer mutex, nor another process's lock, nor a pooled
    connection): for the event loop, which then waits in write_tx on a thread."""
    if not _sqlite_writer.acquire(blocking=False):
        yield None
        return
    try:
        if not _pool_has_room(engine):
            yield None
            return
        with engine.connect() as conn:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA busy_timeout=0")
            try:
                tx = conn.begin()
            except OperationalError as exc:
                if not _busy(exc):
                    raise
                tx = None  # another process writes
            finally:
                driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if tx is None:
                yield None
                return
            with _sqlite_tx(conn, tx):
                yield conn
    finally:
        _sqlite_writer.release()


@contextmanager
def _sqlite_tx(conn: Connection, tx: RootTransaction) -> Iterator[None]:
    try:
        with tx:
            yield
    finally:
        # After a failed COMMIT, SQLAlchemy counts the transaction as over and
        # would pool the connection still inside it: end it on the driver.
        driver = conn.connection.driver_connection
        if driver is not None and driver.in_transaction:
            driver.rollback()


def _busy(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


def _pool_has_room(engine: Engine) -> bool:
    # A checkout from a full pool waits up to the pool timeout: on a thread, then.
    pool = engine.pool
    overflow = getattr(pool, "_max_overflow", -1)
    if not isinstance(pool, QueuePool) or overflow < 0:
        return True
    return bool(pool.checkedout() < pool.size() + overflow)


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that takes no write lock on SQLite."""
    with engine.connect() as conn, conn.begin():
        yield conn
