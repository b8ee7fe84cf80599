"""`gateway simulate --check-current` after real traffic: two gateway processes on one
database, concurrent checks of every kind; the running config reproduces them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.system.conftest import ERP, ROOT, StartGateway
from tests.system.test_concurrency import check, put_customer

pytestmark = pytest.mark.slow


def test_the_running_config_reproduces_real_traffic(
    start_gateway: StartGateway, shared_db: str
) -> None:
    a, b = start_gateway(), start_gateway()
    put_customer(a.url, "CC1", "50000.00")
    put_customer(a.url, "CC2", "8000.00")
    r = httpx.put(
        f"{a.url}/v1/customers/CC2/open-items",
        headers=ERP,
        timeout=10,
        json={
            "as_of": "2026-01-01T00:00:00+00:00",
            "items": [
                {
                    "item_id": "I1",
                    "kind": "invoice",
                    "amount": "700.00",
                    "currency": "EUR",
                    "due_date": "2026-01-15",
                    "order_id": "X1",
                }
            ],
        },
    )
    r.raise_for_status()
    orders = [
        (url, f"SO{n}", f"{1000 + 700 * (n % 9)}.00", ("CC1", "CC2", "CC-NEW")[n % 3])
        for n, url in enumerate([a.url, b.url] * 30)
    ]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda o: check(o[0], o[1], o[2], o[3]), orders))
    assert {x["outcome"] for x in answers} == {"release", "hold"}
    check(a.url, "SO0", "900.00", "CC1", revision=2)
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": shared_db,
        "GATEWAY_CONFIG": str(ROOT / "config" / "gateway.toml"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "simulate", "--check-current", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["replayed"] == report["unchanged"] == len(orders) + 1
