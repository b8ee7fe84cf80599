"""The Unit of Work: the one place where a transaction starts and commits.

Services take a `UnitOfWork` and open their transactions on it (`with uow.write() as
conn:`); routes, the console, the sync runner and the background loops call services
and never begin a transaction themselves. Repositories take the `Connection` they are
handed and never commit. The transaction commits when the `with` block ends and rolls
back on any error, so a service either writes all of its work or none of it.

Two implementations, one per database, chosen by `unit_of_work(engine)`:

- `SqliteUnitOfWork`: SQLite admits one writer, so `write()` takes the process's writer
  mutex and `BEGIN IMMEDIATE` (`gateway.db.engine.write_tx`), and `submit()` runs a
  check in the next group commit (`gateway.db.group_commit`): checks that arrive
  together share one transaction and one fsync, without ever making the event loop wait
  for the writer.
- `PostgresUnitOfWork`: a plain transaction per unit; `submit()` runs it on a worker
  thread, at most `check_threads` at once, with the customer's row lock serializing the
  checks of one customer.

Service tests use the real SQLite unit of work on a temporary file (no HTTP, no fakes
of SQL): see `tests/gateway/test_services.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol, TypeVar

import anyio
from sqlalchemy import Connection, Engine

from gateway.db.engine import is_sqlite, read_tx, write_tx
from gateway.db.pipeline import pipelined_tx

if TYPE_CHECKING:
    # Imported when built, not here: the group commit brings the metrics, which must not
    # be created before `gateway serve` has set PROMETHEUS_MULTIPROC_DIR (the CLI, which
    # imports this module through `gateway simulate`, runs before it).
    from gateway.db.group_commit import GroupCommit

T = TypeVar("T")


class UnitOfWork(Protocol):
    """Where a service's transaction begins and commits."""

    @property
    def engine(self) -> Engine:
        """The engine (for what is not a transaction: metrics, disposal)."""
        ...

    def write(self) -> AbstractContextManager[Connection]:
        """A read-write transaction: commits when the block ends, rolls back on error."""
        ...

    def read(self) -> AbstractContextManager[Connection]:
        """A read-only transaction; on SQLite it never takes the write lock."""
        ...

    def check_tx(self) -> AbstractContextManager[Connection]:
        """The check's own write transaction: on PostgreSQL pipelined, BEGIN sent with
        its reads and COMMIT with its writes (`gateway.db.pipeline`)."""
        ...

    async def submit(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a write transaction without blocking the event loop; return its
        value once committed. The check's way in (on SQLite: the group commit)."""
        ...


class _Transactions:
    """What both databases do alike: `write_tx` (on SQLite behind the writer mutex, with
    BEGIN IMMEDIATE) and `read_tx`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with write_tx(self._engine) as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with read_tx(self._engine) as conn:
            yield conn


class SqliteUnitOfWork(_Transactions):
    def __init__(self, engine: Engine, group_commit: GroupCommit | None = None) -> None:
        if group_commit is None:
            from gateway.db.group_commit import GroupCommit

            group_commit = GroupCommit(engine)
        super().__init__(engine)
        self._group_commit = group_commit

    @property
    def group_commit(self) -> GroupCommit:
        return self._group_commit

    def check_tx(self) -> AbstractContextManager[Connection]:
        return self.write()

    async def submit(self, work: Callable[[Connection], T]) -> T:
        return await self._group_commit.run(work)


class PostgresUnitOfWork(_Transactions):
    def __init__(self, engine: Engine, limiter: anyio.CapacityLimiter | None = None) -> None:
        super().__init__(engine)
        self._limiter = limiter

    @contextmanager
    def check_tx(self) -> Iterator[Connection]:
        with pipelined_tx(self._engine) as conn:
            yield conn

    async def submit(self, work: Callable[[Connection], T]) -> T:
        def in_transaction() -> T:
            with self.write() as conn:
                return work(conn)

        return await anyio.to_thread.run_sync(in_transaction, limiter=self._limiter)


def unit_of_work(
    engine: Engine, limiter: anyio.CapacityLimiter | None = None
) -> SqliteUnitOfWork | PostgresUnitOfWork:
    """The unit of work for the engine's database."""
    if is_sqlite(engine):
        return SqliteUnitOfWork(engine)
    return PostgresUnitOfWork(engine, limiter)
