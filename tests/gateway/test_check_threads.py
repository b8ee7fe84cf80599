"""Checks that run on threads (PostgreSQL, the ERP adapter routes) share a limiter of
GATEWAY_CHECK_THREADS threads: more threads than that only fight over the GIL
(bench/RESULTS.md), and the queue waits on the event loop instead."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.auth import parse_api_keys
from gateway.orders import routes
from gateway.settings import Settings
from tests.gateway.conftest import ROOT, Api, FakeClock, assert_reservations_add_up
from tests.support.keys import API_KEYS, SECRET


@pytest.mark.postgres
def test_checks_on_threads_run_at_most_check_threads_at_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = peak = 0
    lock = threading.Lock()
    real = routes.check_order

    def counted(*args: Any) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.05)  # long enough for every request to be under way
            return real(*args)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(routes, "check_order", counted)
    settings = Settings(
        database_url=postgres_url,
        config_path=ROOT / "config" / "gateway.toml",
        api_keys=parse_api_keys(API_KEYS),
        token_secret=SECRET,
        check_threads=2,
    )
    app = create_app(settings, clock=FakeClock(), run_sync_loops=False)
    with TestClient(app) as client:
        api = Api(client)
        api.customer("C100")
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda n: api.check(order_id=f"45{n:08d}", amount="10.00"), range(8))
            )
        assert [a.status_code for a in answers] == [200] * 8
        assert {a.json()["outcome"] for a in answers} == {"release"}
        assert_reservations_add_up(app.state.resources.engine)
    assert peak == 2
