"""Group commit on a real SQLite file: checks share a transaction, never an outcome."""

from __future__ import annotations

import asyncio
import contextvars
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

from gateway.db.engine import write_tx
from gateway.db.group_commit import GroupCommit
from gateway.errors import Unavailable
from tests.support.sqlite import insert, scratch_engine


@pytest.fixture(params=["FULL", "NORMAL"])
def engine(tmp_path: Path, request: pytest.FixtureRequest) -> Engine:
    # FULL waits for an fsync of the log at each commit, NORMAL does not.
    return scratch_engine(tmp_path / "gc.db", synchronous=request.param)


def stored(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT x FROM t ORDER BY x")]


async def gather(gc: GroupCommit, works: list[Any]) -> list[Any]:
    return await asyncio.gather(*(gc.run(w) for w in works), return_exceptions=True)


def test_concurrent_work_shares_commits_and_each_gets_its_own_value(engine: Engine) -> None:
    gc = GroupCommit(engine)
    results = asyncio.run(gather(gc, [insert(x) for x in range(20)]))
    assert results == list(range(20))
    assert stored(engine) == list(range(20))
    assert gc.checks == 20
    assert gc.batches < 20  # they were batched


def test_a_failing_work_rolls_back_only_its_own_writes(engine: Engine) -> None:
    def insert_then_fail(conn: Connection) -> None:
        conn.exec_driver_sql("INSERT INTO t (x) VALUES (100)")
        raise ValueError("domain error after a write")

    gc = GroupCommit(engine)
    works = [insert(1), insert_then_fail, insert(2), insert(1)]  # the last one: duplicate key
    results = asyncio.run(gather(gc, works))
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], ValueError)
    assert type(results[3]).__name__ == "IntegrityError"
    assert stored(engine) == [1, 2]
    assert gc.batches == 1


def test_a_failed_commit_fails_every_work_of_the_batch_and_keeps_nothing(engine: Engine) -> None:
    def refuse(conn: Connection) -> None:
        raise OSError("disk full")

    event.listen(engine, "commit", refuse)
    gc = GroupCommit(engine)
    results = asyncio.run(gather(gc, [insert(1), insert(2)]))
    event.remove(engine, "commit", refuse)
    assert all(isinstance(r, OSError) for r in results)
    assert stored(engine) == []
    assert asyncio.run(gather(gc, [insert(3)])) == [3]  # the writer and connection are free


def commits_observed() -> tuple[float, float]:
    """The commit histogram's count and sum, as Prometheus would scrape them."""
    count = REGISTRY.get_sample_value("gateway_sqlite_commit_seconds_count")
    total = REGISTRY.get_sample_value("gateway_sqlite_commit_seconds_sum")
    assert count is not None and total is not None, "gateway_sqlite_commit_seconds is missing"
    return count, total


def test_every_commit_is_timed_for_operators_failed_ones_too(engine: Engine) -> None:
    """The commit (with FULL, an fsync of the log) is what the disk adds to each check:
    operators see its time per batch, a slow or failing commit included."""
    count, total = commits_observed()
    gc = GroupCommit(engine)
    asyncio.run(gather(gc, [insert(x) for x in range(10)]))
    after, after_total = commits_observed()
    assert after - count == gc.batches
    assert after_total > total

    def refuse(conn: Connection) -> None:
        raise OSError("disk full")

    event.listen(engine, "commit", refuse)
    asyncio.run(gather(gc, [insert(11)]))
    event.remove(engine, "commit", refuse)
    assert commits_observed()[0] == after + 1

    def fail_before_commit(conn: Connection) -> None:
        raise ValueError("a check's own error: its savepoint rolls back, the batch commits")

    asyncio.run(gather(gc, [fail_before_commit]))
    assert commits_observed()[0] == after + 2


def test_an_error_that_ends_the_whole_transaction_fails_every_check_of_the_batch(
    engine: Engine,
) -> None:
    """Disk full, an I/O error or an interrupt make SQLite roll back the transaction,
    not just the statement: the batch is lost, and each of its checks answers that
    database error (a 503), not a 500 about a savepoint that is gone."""

    def interrupted(conn: Connection) -> None:
        raw = conn.connection.driver_connection
        raw.set_progress_handler(lambda: 1, 1)  # SQLITE_INTERRUPT at the next step
        try:
            conn.exec_driver_sql("INSERT INTO t (x) VALUES (100)")
        finally:
            raw.set_progress_handler(None, 1)

    gc = GroupCommit(engine)
    results = asyncio.run(gather(gc, [insert(1), interrupted, insert(2)]))
    assert all(isinstance(r, DBAPIError) for r in results), results
    assert "interrupted" in str(results[0])
    assert stored(engine) == []
    assert asyncio.run(gather(gc, [insert(3)])) == [3]  # the writer and connection are free


def test_no_check_waits_for_ever_when_the_batch_itself_is_cut_short(engine: Engine) -> None:
    """Not an error of one check (those answer that check) but one that stops the
    drainer, as a cancellation does: nothing of the batch is kept, and every check
    queued gets an answer (an error) instead of waiting for ever."""

    def cancelled(conn: Connection) -> None:
        raise asyncio.CancelledError

    async def main() -> tuple[int, list[BaseException | None], list[Any]]:
        gc = GroupCommit(engine)
        tasks = [asyncio.ensure_future(gc.run(w)) for w in (insert(1), cancelled, insert(2))]
        _, pending = await asyncio.wait(tasks, timeout=5)
        later = await gather(gc, [insert(3)])
        return len(pending), [t.exception() for t in tasks if not t.cancelled()], later

    pending, errors, later = asyncio.run(main())
    assert pending == 0
    assert len(errors) == 3
    assert all(isinstance(e, Unavailable) and e.status == 503 for e in errors)
    assert later == [3]
    assert stored(engine) == [3]


def test_later_work_sees_earlier_work_of_the_same_batch(engine: Engine) -> None:
    def count(conn: Connection) -> int:
        return int(conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one())

    gc = GroupCommit(engine)
    results = asyncio.run(gather(gc, [insert(1), count, insert(2), count]))
    assert results == [1, 1, 2, 2]


def test_each_work_runs_in_its_callers_context(engine: Engine) -> None:
    """Log lines written inside a check carry that check's request id, not a neighbour's."""
    who: contextvars.ContextVar[str] = contextvars.ContextVar("who")

    async def one(gc: GroupCommit, name: str) -> str:
        who.set(name)
        return await gc.run(lambda conn: who.get())

    async def main() -> tuple[list[str], int]:
        gc = GroupCommit(engine)
        names = await asyncio.gather(one(gc, "a"), one(gc, "b"), one(gc, "c"))
        return list(names), gc.batches

    assert asyncio.run(main()) == (["a", "b", "c"], 1)


def test_the_write_ahead_log_stays_bounded_under_continuous_batches(
    engine: Engine, tmp_path: Path
) -> None:
    """Batches back to back, as under load, must not let SQLite's log grow for ever.

    The log is reused only once a checkpoint has copied all of it back and a write
    transaction then begins; a checkpoint that runs beside the writer (a thread of its
    own) never catches up with it, and the log grew to a gigabyte in a minute of
    benchmark. The commit's own checkpoint (past 250 pages) keeps it small.
    """
    pad = "x" * 3000

    def big(x: int) -> Any:
        def work(conn: Connection) -> None:
            conn.exec_driver_sql("INSERT INTO t (x) VALUES (?)", (x,))
            conn.exec_driver_sql("INSERT INTO pads (x, pad) VALUES (?, ?)", (x, pad))

        return work

    with write_tx(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE pads (x INTEGER PRIMARY KEY, pad TEXT)")
    gc = GroupCommit(engine)
    wal = tmp_path / "gc.db-wal"
    largest = 0
    for start in range(0, 12_000, 400):  # about 40 MB of pages, 400 writes a round
        results = asyncio.run(gather(gc, [big(x) for x in range(start, start + 400)]))
        assert all(r is None for r in results)
        largest = max(largest, wal.stat().st_size)
    assert largest < 16 * 1024 * 1024, f"the log grew to {largest / 2**20:.0f} MiB"
