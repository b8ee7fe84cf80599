"""The write-ahead log goes back into the database file from a thread, never in a commit."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from gateway.db.checkpoint import WalCheckpointer
from gateway.db.engine import build_engine, sqlite_file


def wal_frames(path: Path) -> tuple[int, int]:
    """(frames in the log, frames of it already copied into the database)."""
    with sqlite3.connect(path) as probe:
        _, log, copied = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return log, copied


def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path}/wal.db")
    path = sqlite_file(engine)
    assert path == tmp_path / "wal.db"
    with engine.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER PRIMARY KEY, pad TEXT)")
    # Well past the 1,000 pages at which a commit would otherwise checkpoint.
    for _ in range(40):
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO t (pad) SELECT ? FROM (SELECT 1 UNION ALL SELECT 2)", ("x" * 4000,)
            )
            conn.exec_driver_sql("INSERT INTO t (pad) SELECT pad FROM t ORDER BY x LIMIT 50")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
    size_before = path.stat().st_size
    wal_before = Path(f"{path}-wal").stat().st_size
    assert wal_before > 1000 * 4096 and size_before < wal_before  # nobody checkpointed

    checkpointer = WalCheckpointer(path, interval=0.05)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 10
        while path.stat().st_size <= size_before and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        checkpointer.stop()
    assert path.stat().st_size > size_before
    log, copied = wal_frames(path)
    assert log == copied  # everything committed is in the database file
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == rows
    engine.dispose()


def test_no_checkpointer_for_postgresql() -> None:
    assert sqlite_file(build_engine("postgresql+psycopg://u:p@127.0.0.1:1/db")) is None
