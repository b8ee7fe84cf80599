"""A PostgreSQL write transaction in two round trips, with psycopg's pipeline mode.

A check's latency on PostgreSQL is mostly waiting: each statement is a round trip to
the server (BEGIN, the locks, each read, each write, COMMIT: ten for a new order). In
pipeline mode (libpq's, through psycopg 3) statements are sent one after another
without waiting for each answer; the server runs them in order, each exactly as it
would alone, and the answers come back together. So a transaction whose reads do not
depend on each other's answers, and whose writes depend only on what was read, costs
two turns of the conversation:

1. `read_together`: BEGIN and every read (the locks among them, in the order given)
   in one pipeline, answered together;
2. Python decides, on the connection as usual (anything it still reads or writes
   costs a round trip of its own);
3. `queue_writes`: the writes are queued in a pipeline left open, and `pipelined_tx`
   sends COMMIT after them when its block ends: one round trip for both.

psycopg begins a transaction on the first statement by itself, but in pipeline mode it
waits for that BEGIN's answer before sending anything else; so for the length of
`pipelined_tx` the driver connection is in autocommit mode and BEGIN is sent by
`read_together` (or `begin`), in the same pipeline as the reads. SQLAlchemy's
transaction still frames the whole (its COMMIT finds the driver's transaction over and
sends nothing; on an error its ROLLBACK ends it), and the driver's errors arrive as
SQLAlchemy's, as from any other statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from psycopg import Error as PsycopgError
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine

from gateway.db.fast import Pending, Read, driver_errors

T = TypeVar("T")
_OPEN = "gateway_pipelined"  # conn.info: the transaction's open write pipeline, if any


class NotInTransaction(RuntimeError):
    """Writes queued before `read_together` or `begin` began the transaction: a bug."""


@contextmanager
def pipelined_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction (PostgreSQL) begun by `read_together` or `begin`, whose
    COMMIT goes with the writes `queue_writes` queued: commits when the block ends,
    rolls back on any error.

    Nothing may run in the block before `read_together` or `begin`: until then the
    driver is in autocommit mode, and a statement would run outside the transaction."""
    with engine.connect() as conn:
        driver = _driver(conn)
        driver.autocommit = True
        conn.info[_OPEN] = None
        try:
            with conn.begin():
                try:
                    yield conn
                except BaseException as exc:
                    _abandon_queued(conn, exc)
                    raise
                _commit_queued(conn)
        finally:
            conn.info.pop(_OPEN, None)
            try:
                driver.autocommit = False  # as the pool lends it to everyone else
            except PsycopgError:
                conn.invalidate()  # a broken connection: never back into the pool


def is_pipelined(conn: Connection) -> bool:
    """Whether `conn` is in a `pipelined_tx`."""
    return _OPEN in conn.info


def read_together(conn: Connection, reads: Sequence[Read]) -> list[Pending]:
    """BEGIN (if no transaction is open yet) and `reads`, in that order, in one round
    trip; the answers, in the same order, ready to be read."""
    driver = _driver(conn)
    begin = driver.pgconn.transaction_status == TransactionStatus.IDLE
    with driver_errors(conn, "-- reads, pipelined"), driver.pipeline():
        if begin:
            driver.execute("BEGIN")
        pending = [statement.send(conn, params) for statement, params in reads]
    return pending


def begin(conn: Connection) -> None:
    """BEGIN now, alone, for a transaction that reads in turn (one round trip)."""
    read_together(conn, ())


def queue_writes(conn: Connection, writes: Callable[[], T]) -> T:
    """Run `writes` with its statements queued, to be sent with the transaction's COMMIT
    when `pipelined_tx` ends. `writes` sends statements on the driver only
    (`FastStatement.execute`), never SQLAlchemy's `conn.execute`, whose results are
    not there yet in a pipeline; it is the transaction's last work."""
    driver = _driver(conn)
    if driver.pgconn.transaction_status != TransactionStatus.INTRANS:
        raise NotInTransaction("writes queued outside the transaction read_together began")
    pipeline: AbstractContextManager[Any] = driver.pipeline()
    pipeline.__enter__()
    conn.info[_OPEN] = pipeline
    return writes()


def _commit_queued(conn: Connection) -> None:
    pipeline = conn.info.get(_OPEN)
    if pipeline is None:
        return  # nothing queued: SQLAlchemy's COMMIT ends the transaction
    with driver_errors(conn, "-- writes and COMMIT, pipelined"):
        try:
            _driver(conn).execute("COMMIT")
        finally:
            conn.info[_OPEN] = None
            pipeline.__exit__(None, None, None)  # sends it all, waits for the answers


def _abandon_queued(conn: Connection, exc: BaseException) -> None:
    """Leave pipeline mode after an error, before SQLAlchemy rolls back: the queued
    writes run (no COMMIT follows them) and are rolled back with the rest."""
    pipeline = conn.info.get(_OPEN)
    if pipeline is not None:
        conn.info[_OPEN] = None
        pipeline.__exit__(type(exc), exc, exc.__traceback__)  # logs its own error, if any


def _driver(conn: Connection) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver
