"""The event loop never waits on SQLite's write lock.

While another process, or a thread of this one, holds the lock, a check waits for it
(off the loop) and then answers; /healthz, and every other request, answers at once.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout

from gateway.db.engine import PoolLimits, build_engine, write_tx
from gateway.db.group_commit import GroupCommit
from tests.gateway.conftest import Api
from tests.support.sqlite import insert, scratch_engine

HOLD = 3.0  # seconds the other writer keeps the lock: well inside the 10 s busy timeout
PROMPT = 0.1  # what "at once" means for /healthz (the bound)

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/gateway.db"  # SQLite's lock only: no PostgreSQL here


@contextmanager
def locked_by_another_process(path: str, seconds: float = HOLD) -> Iterator[None]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, path, str(seconds)], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        try:
            yield
        finally:
            holder.wait(timeout=seconds + 10)


@contextmanager
def locked_by_a_thread(engine: Engine) -> Iterator[threading.Event]:
    """A thread of this process in write_tx (as PUT .../open-items is), until released."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_tx(engine):
            taken.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert taken.wait(timeout=5)
        yield release
    finally:
        release.set()
        thread.join(timeout=10)


def probe_while_the_check_waits(api: Api, release: threading.Event | None = None) -> None:
    """Send a check, then probe /healthz three times while the check still waits."""
    with ThreadPoolExecutor(2) as pool:
        pending = pool.submit(api.check, "O1", "100.00")
        time.sleep(0.3)  # the check is now waiting for the writer
        assert not pending.done(), pending.result().text
        took = []
        for _ in range(3):
            started = time.perf_counter()
            # Were the wait on the event loop, this request would not be served.
            assert api.get("/healthz", who=None).status_code == 200
            took.append(time.perf_counter() - started)
        assert not pending.done(), "the lock was released before the probes ended"
        assert min(took) < PROMPT and max(took) < 1.0, took
        if release is not None:
            release.set()
        answer = pending.result(timeout=15)
        assert answer.status_code == 200, answer.text
        assert answer.json()["outcome"] == "release"


def test_healthz_answers_at_once_while_another_process_holds_the_write_lock(api: Api) -> None:
    api.customer("C100")
    path = api.client.app.state.resources.engine.url.database  # type: ignore[attr-defined]
    with locked_by_another_process(path):
        probe_while_the_check_waits(api)


def test_healthz_answers_at_once_while_a_thread_holds_the_write_lock(api: Api) -> None:
    api.customer("C100")
    engine = api.client.app.state.resources.engine  # type: ignore[attr-defined]
    with locked_by_a_thread(engine) as release:
        probe_while_the_check_waits(api, release)


# The group commit itself, without HTTP: the loop keeps ticking while a batch waits.


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return scratch_engine(tmp_path / "gc.db")


async def longest_stall_while(gc: GroupCommit, works: list[Any]) -> tuple[float, list[Any]]:
    """Run the works; meanwhile tick the loop every 10 ms: the longest gap between ticks."""
    done = asyncio.ensure_future(
        asyncio.gather(*(gc.run(w) for w in works), return_exceptions=True)
    )
    longest, last = 0.0, time.perf_counter()
    while not done.done():
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest, done.result()


def test_a_batch_waits_for_another_process_off_the_loop(engine: Engine) -> None:
    gc = GroupCommit(engine)
    assert engine.url.database is not None
    with locked_by_another_process(engine.url.database, seconds=1.5):
        stall, results = asyncio.run(longest_stall_while(gc, [insert(1), insert(2)]))
    assert results == [1, 2]
    assert stall < PROMPT, f"the loop stood still for {stall:.2f} s"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2


def test_a_batch_waits_for_a_thread_of_this_process_off_the_loop(engine: Engine) -> None:
    gc = GroupCommit(engine)
    with locked_by_a_thread(engine) as release:
        threading.Timer(1.0, release.set).start()
        stall, results = asyncio.run(longest_stall_while(gc, [insert(1), insert(2)]))
    assert results == [1, 2]
    assert stall < PROMPT, f"the loop stood still for {stall:.2f} s"


def test_a_batch_that_finds_no_free_connection_fails_off_the_loop(tmp_path: Path) -> None:
    """Every pooled connection taken: the batch waits the pool timeout on a thread and
    fails with PoolTimeout (a 503 DATABASE_UNAVAILABLE with Retry-After), not a hang."""
    engine = build_engine(f"sqlite:///{tmp_path}/pool.db", PoolLimits(size=2, timeout=0.5))
    with write_tx(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    gc = GroupCommit(engine)
    with engine.connect(), engine.connect():
        started = time.perf_counter()
        done = asyncio.run(longest_stall_while(gc, [insert(1)]))
    assert time.perf_counter() - started >= 0.5
    stall, results = done
    assert stall < PROMPT, f"the loop stood still for {stall:.2f} s"
    assert [type(r) for r in results] == [PoolTimeout]
