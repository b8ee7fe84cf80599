"""Group commit on SQLite: checks that arrive together share one transaction.

SQLite admits one writer, and every transaction pays for BEGIN, COMMIT and the
journal work between them (an fsync too, with synchronous=FULL). Under load the
checks queue for the writer anyway, so the queue is run as one transaction: each
check inside its own savepoint (a failing check rolls back only its own writes and
answers its own error), in arrival order (each sees the ones before it, exactly as if
they had run one after another), and no answer leaves before the one commit: nothing
is acknowledged that is not durable. If the commit fails, every check of the batch
fails with it.

The batch runs on the event loop, commit included, as a single check did before: on
one SQLite file a thread would only add switches (measured: committing on a worker
thread, to read requests during the fsync, was no faster). But the loop never waits
for the writer: when it is taken (a thread of this process in write_tx, or another
process holding SQLite's lock), the batch runs on a worker thread instead, which
waits for it (in write_tx: the mutex, then SQLite's busy timeout, or the pool's,
either failing the batch with a 503) while the loop serves other requests. Requests
that arrive while a batch runs form the next.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import anyio
from sqlalchemy import Connection, Engine

from gateway import metrics
from gateway.db.engine import write_tx, write_tx_if_free
from gateway.db.fast import on_driver
from gateway.errors import Unavailable

T = TypeVar("T")
Work = Callable[[Connection], Any]
Outcome = tuple[BaseException | None, Any]
Begin = Callable[[Engine], AbstractContextManager[Connection | None]]


class GroupCommit:
    def __init__(self, engine: Engine, max_batch: int = 64) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.batches = 0  # for tests; operators have gateway_sqlite_commit_batch_size
        self.checks = 0

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in the next batch; return its value once the batch is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        # The work runs in the caller's context, so its log lines carry its request id.
        context = contextvars.copy_context()
        self._queue.append((lambda conn: context.run(work, conn), future))
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain(), name="group-commit")
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[Work, asyncio.Future[Any]]] = []
        try:
            while self._queue:
                # One turn of the loop first: requests already read join this batch.
                await asyncio.sleep(0)
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                works = [work for work, _ in batch]
                outcomes = self._run_batch(works, write_tx_if_free)
                if outcomes is None:  # the writer is taken: wait for it off the loop
                    outcomes = await anyio.to_thread.run_sync(self._run_batch, works, write_tx)
                assert outcomes is not None
                for (_, future), (error, value) in zip(batch, outcomes, strict=True):
                    if future.done():  # the client went away; the decision stands
                        continue
                    if error is not None:
                        future.set_exception(error)
                    else:
                        future.set_result(value)
                batch = []
        finally:
            self._drainer = None
            # Cut short (cancelled at shutdown, or a check raised what is not an
            # Exception): the batch was rolled back, and no check may wait for ever;
            # each answers 503, so the ERP retries.
            for _, future in [*batch, *self._queue]:
                if not future.done():
                    future.set_exception(
                        Unavailable("the check was not committed; retry", code="NOT_COMMITTED")
                    )
            self._queue.clear()

    def _run_batch(self, works: list[Work], begin: Begin) -> list[Outcome] | None:
        """The batch's outcomes, or None if `begin` found the writer taken."""
        committing: float | None = None
        try:
            with begin(self._engine) as conn:
                if conn is None:
                    return None
                self.batches += 1
                self.checks += len(works)
                metrics.COMMIT_BATCH.observe(len(works))
                outcomes = [_in_savepoint(conn, work) for work in works]
                committing = time.perf_counter()
            return outcomes
        except Exception as exc:  # the transaction or its commit failed: none of it stands
            return [(exc, None)] * len(works)
        finally:
            # What the disk adds to each check of the batch (a failed commit too).
            if committing is not None:
                metrics.SQLITE_COMMIT.observe(time.perf_counter() - committing)


def _in_savepoint(conn: Connection, work: Work) -> Outcome:
    # The driver connection directly: SAVEPOINT through SQLAlchemy would cost more
    # than the check's own statements, and SQLAlchemy need not know of it.
    raw = conn.connection.driver_connection
    assert raw is not None
    on_driver(conn, "SAVEPOINT one_check")
    try:
        value = work(conn)
    except Exception as exc:
        if not raw.in_transaction:
            # SQLite rolled the whole transaction back (disk full, an I/O error, an
            # interrupt): the batch is lost, and this error is every check's answer.
            raise
        on_driver(conn, "ROLLBACK TO one_check")
        on_driver(conn, "RELEASE one_check")
        return exc, None
    on_driver(conn, "RELEASE one_check")
    return None, value
