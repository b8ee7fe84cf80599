"""The connection pool's gauges: connections in use and idle, and the pool's limit.

For sizing GATEWAY_DB_POOL_SIZE (and PostgreSQL's max_connections for the workers):
when all of a pool's connections are in use, requests wait for one, and after
GATEWAY_DB_POOL_TIMEOUT answer 503 (counted in gateway_db_errors_total). Counted from
SQLAlchemy's pool events, which fire in whichever thread uses the pool; with several
workers, the samples of the live ones add up (prometheus-client's "livesum").
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, event

from gateway import metrics


def watch_pool(engine: Engine, limit: int) -> Callable[[], None]:
    """Count `engine`'s connections into the gauges; the returned call stops it and
    takes back what this pool still counts, so a stopped app leaves nothing behind."""
    forget_dead_workers()
    in_use = metrics.DB_CONNECTIONS.labels(state="in_use")
    idle = metrics.DB_CONNECTIONS.labels(state="idle")
    counts = {"in_use": 0, "idle": 0}
    lock = threading.Lock()

    def move(d_in_use: int, d_idle: int) -> None:
        with lock:
            counts["in_use"] += d_in_use
            counts["idle"] += d_idle
        in_use.inc(d_in_use)
        idle.inc(d_idle)

    # A new connection is idle until checked out. One that breaks in use is closed
    # before its check-in: idle reads one short until then, and the check-in evens it
    # (the pool takes back an entry without a connection). Connections the pool does
    # not keep are closed after their check-in.
    listeners: list[tuple[str, Callable[..., None]]] = [
        ("connect", lambda *_: move(0, 1)),
        ("checkout", lambda *_: move(1, -1)),
        ("checkin", lambda *_: move(-1, 1)),
        ("close", lambda *_: move(0, -1)),
        # Detached from the pool (never done here): no longer the pool's to count.
        ("detach", lambda *_: move(-1, 0)),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    metrics.DB_POOL_MAX.inc(limit)

    def unwatch() -> None:
        for name, listener in listeners:
            event.remove(engine, name, listener)
        metrics.DB_POOL_MAX.dec(limit)
        with lock:
            left = dict(counts)
        move(-left["in_use"], -left["idle"])

    return unwatch


_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


def forget_dead_workers() -> None:
    """Drop the live gauges of workers that ended without shutting down (kill -9, a
    crash): uvicorn starts another in each one's place, and the dead one's pool would
    still be added in. prometheus-client leaves that to whoever notices the death."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    for path in Path(directory).glob("gauge_live*_*.db"):
        match = _LIVE_GAUGE_FILE.fullmatch(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)  # another starting worker may be first


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True
