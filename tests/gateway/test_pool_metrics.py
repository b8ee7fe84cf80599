"""The connection pool's gauges, for sizing GATEWAY_DB_POOL_SIZE: what a pool holds,
counted from a real SQLite engine's pool (the gauges are process-wide, so each test
reads them as differences from before it)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine

from gateway.app import create_app
from gateway.db.engine import PoolLimits, build_engine
from gateway.db.pool_metrics import forget_dead_workers, watch_pool
from gateway.settings import Settings
from tests.gateway.conftest import Api


def gauges() -> tuple[float, float, float]:
    """(in use, idle, the pools' limit) as this process reports them."""

    def value(name: str, labels: dict[str, str] | None = None) -> float:
        return REGISTRY.get_sample_value(name, labels or {}) or 0.0

    return (
        value("gateway_db_connections", {"state": "in_use"}),
        value("gateway_db_connections", {"state": "idle"}),
        value("gateway_db_pool_max_connections"),
    )


def moved(before: tuple[float, float, float]) -> tuple[float, float, float]:
    now = gauges()
    return (now[0] - before[0], now[1] - before[1], now[2] - before[2])


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = build_engine(f"sqlite:///{tmp_path}/pool.db", PoolLimits(size=4, timeout=1.0))
    yield engine
    engine.dispose()


def test_the_gauges_follow_connections_out_of_and_back_into_the_pool(engine: Engine) -> None:
    before = gauges()
    unwatch = watch_pool(engine, limit=4)
    assert moved(before) == (0, 0, 4)

    held = [engine.connect() for _ in range(3)]
    assert moved(before) == (3, 0, 4)
    held.pop().close()
    held.pop().close()
    assert moved(before) == (1, 2, 4)

    # A connection that broke while in use is closed, not pooled: neither in use nor idle.
    broken = held.pop()
    broken.invalidate()
    broken.close()
    assert moved(before) == (0, 2, 4)

    # Reused from the pool, not opened anew.
    with engine.connect():
        assert moved(before) == (1, 1, 4)
    assert moved(before) == (0, 2, 4)

    engine.dispose()  # closes the idle ones
    assert moved(before) == (0, 0, 4)
    unwatch()
    assert moved(before) == (0, 0, 0)


def test_connections_past_what_the_pool_keeps_are_closed_when_returned(engine: Engine) -> None:
    # The pool keeps half its size open when idle (build_engine); the rest overflow.
    before = gauges()
    unwatch = watch_pool(engine, limit=4)
    held = [engine.connect() for _ in range(4)]
    assert moved(before) == (4, 0, 4)
    for conn in held:
        conn.close()
    assert moved(before) == (0, 2, 4)
    unwatch()
    # What was still counted leaves with the watch, so nothing lingers in the process.
    assert moved(before) == (0, 0, 0)


def test_the_app_reports_its_pool_on_metrics(settings: Settings) -> None:
    before = gauges()
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        assert api.check(customer_id="NOBODY").status_code == 200
        body = api.get("/metrics", who=None).text
        in_use, idle, limit = moved(before)
        assert limit == settings.pool.size
        assert in_use == 0 and idle >= 1  # the check's connection went back to the pool
        assert 'gateway_db_connections{state="in_use"}' in body
        assert "gateway_db_pool_max_connections" in body
    assert moved(before) == (0, 0, 0)  # shut down: the engine and its watch are gone


def test_a_starting_worker_forgets_the_live_gauges_of_dead_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    live = tmp_path / f"gauge_livesum_{os.getpid()}.db"
    dead = tmp_path / f"gauge_livesum_{ended.pid}.db"
    kept = tmp_path / f"gauge_max_{ended.pid}.db"  # not a live gauge: the last value stands
    counter = tmp_path / f"counter_{ended.pid}.db"
    for path in (live, dead, kept, counter):
        path.write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    forget_dead_workers()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (live, kept, counter)
    )
