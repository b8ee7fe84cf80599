"""A scratch SQLite database with one table `t (x INTEGER PRIMARY KEY)`, for the tests of
the write lock and the group commit, and a work that inserts into it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from gateway.db.engine import build_engine, write_tx


def scratch_engine(path: Path, **options: Any) -> Engine:
    engine = build_engine(f"sqlite:///{path}", **options)
    with write_tx(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    return engine


def insert(x: int) -> Any:
    """A group-commit work that inserts `x` into t and answers it."""

    def work(conn: Connection) -> int:
        conn.exec_driver_sql("INSERT INTO t (x) VALUES (?)", (x,))
        return x

    return work
