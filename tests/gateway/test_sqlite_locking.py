"""SQLite's write lock is taken by write transactions only (and so behind the writer
mutex): a reader holding it would stall the event loop's group commit in SQLite's
busy handler, the loop and every check with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from gateway.db.engine import WriteOutsideWriteTx, read_tx, write_tx
from tests.support.sqlite import scratch_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return scratch_engine(tmp_path / "lock.db")


def another_writer_can_write(engine: Engine) -> bool:
    path = engine.url.database
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t (x) VALUES ((SELECT coalesce(max(x), 0) + 1 FROM t))")
        other.execute("COMMIT")
        return True
    except sqlite3.OperationalError as err:
        assert "locked" in str(err)
        return False
    finally:
        other.close()


def test_a_plain_connection_reads_without_the_write_lock(engine: Engine) -> None:
    # As /metrics and /readyz read: engine.connect(), and a transaction begun by the query.
    with engine.connect() as reader:
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0
        assert reader.in_transaction()
        assert another_writer_can_write(engine)


def test_read_tx_reads_without_the_write_lock(engine: Engine) -> None:
    with read_tx(engine) as conn:
        conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one()
        assert another_writer_can_write(engine)


def test_write_tx_takes_the_write_lock_before_it_reads(engine: Engine) -> None:
    with write_tx(engine) as conn:
        conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one()
        assert not another_writer_can_write(engine)
    assert another_writer_can_write(engine)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO t (x) VALUES (1)",
        "UPDATE t SET x = 2",
        "  delete FROM t",
        "CREATE TABLE u (y INTEGER)",
        "WITH n AS (SELECT 1) INSERT INTO t (x) SELECT 1 FROM n",
    ],
)
def test_a_write_outside_write_tx_is_refused_before_it_runs(engine: Engine, statement: str) -> None:
    # Outside write_tx a write would take SQLite's lock behind the writer mutex's back
    # (or fail at once on a stale snapshot): a programming error, refused every time,
    # not only when another writer happens to be there.
    with pytest.raises(WriteOutsideWriteTx), read_tx(engine) as conn:
        conn.exec_driver_sql(statement)
    with pytest.raises(WriteOutsideWriteTx), engine.connect() as conn:
        conn.exec_driver_sql(statement)
    with write_tx(engine) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0


def test_write_tx_writes(engine: Engine) -> None:
    with write_tx(engine) as conn:
        conn.exec_driver_sql("INSERT INTO t (x) VALUES (1)")
        conn.exec_driver_sql("WITH n AS (SELECT 2 AS v) INSERT INTO t (x) SELECT v FROM n")
    with read_tx(engine) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2
