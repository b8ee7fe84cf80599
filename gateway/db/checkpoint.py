"""SQLite's write-ahead log, copied back into the database from a thread of its own.

By default the connection whose commit takes the log past 1,000 pages runs the
checkpoint itself: it writes those pages into the database file and, with
synchronous=FULL, waits for an fsync, inside one unlucky check's commit and on the
event loop (milliseconds: the tail of the check's latency). Here the engine's
connections never checkpoint (`PRAGMA wal_autocheckpoint=0`, set in
`gateway.db.engine`); this thread does, every `interval` seconds, in PASSIVE mode:
it neither waits for the writer nor blocks it, and the sqlite3 module lets go of the
GIL while SQLite works, so checks go on meanwhile. A checkpoint moves committed
pages only: it changes nothing about what a crash can lose.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import structlog

log = structlog.get_logger("gateway.db")


class WalCheckpointer:
    def __init__(self, database: Path, interval: float = 0.5) -> None:
        self._database = database
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        conn = sqlite3.connect(self._database, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(self._interval):
                self.checkpoint(conn)
            self.checkpoint(conn)
        finally:
            conn.close()

    @staticmethod
    def checkpoint(conn: sqlite3.Connection) -> None:
        try:
            # Busy when another process's checkpoint runs: that one does the work.
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            log.warning("wal_checkpoint_failed", error=str(exc))
