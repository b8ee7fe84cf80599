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
thread, to read requests during the fsync, was no faster). Requests that arrive while
a batch runs form the next.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from gateway import metrics
from gateway.db.engine import write_tx
from gateway.db.fast import on_driver
from gateway.errors import Unavailable

T = TypeVar("T")
Work = Callable[[Connection], Any]
Outcome = tuple[BaseException | None, Any]


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
                outcomes = self._run_batch([work for work, _ in batch])
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

    def _run_batch(self, works: list[Work]) -> list[Outcome]:
        self.batches += 1
        self.checks += len(works)
        metrics.COMMIT_BATCH.observe(len(works))
        committing: float | None = None
        try:
            with write_tx(self._engine) as conn:
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
