"""The database goes away under a running gateway: checks answer 503 with a clear code
(never a release by accident), readiness says so, and both recover when it returns."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.gateway.conftest import KEYS
from tests.support.postgres import PostgresCluster
from tests.support.processes import gateway_process

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
ERP = {"Authorization": f"Bearer {KEYS['erp']}"}


def check(url: str, order_id: str) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/orders/check",
        headers=ERP,
        timeout=30,
        json={
            "erp": "sap",
            "order_id": order_id,
            "revision": 1,
            "customer_id": "C1",
            "amount": "10.00",
            "currency": "EUR",
        },
    )


def test_outage_answers_503_then_recovers(tmp_path: Path) -> None:
    cluster = PostgresCluster.start(tmp_path / "pg", durable=True)
    try:
        url = cluster.create_database("outage")
        server = gateway_process(tmp_path, url)
        with server:
            httpx.put(
                f"{server.url}/v1/customers/C1",
                headers=ERP,
                json={
                    "name": "C1",
                    "credit_limit": "1000.00",
                    "currency": "EUR",
                    "grade": "A",
                    "payment_terms_days": 30,
                },
            ).raise_for_status()
            assert check(server.url, "before").json()["outcome"] == "release"

            cluster.crash()
            for n in range(3):
                r = check(server.url, f"during-{n}")
                assert r.status_code == 503, r.text
                assert r.json()["error"]["code"] == "DATABASE_UNAVAILABLE"
                assert r.headers.get("retry-after") == "1"
            assert httpx.get(f"{server.url}/readyz").status_code == 503
            assert httpx.get(f"{server.url}/healthz").status_code == 200
            assert (
                'gateway_db_errors_total{operation="/v1/orders/check"}'
                in httpx.get(f"{server.url}/metrics").text
            )

            cluster.resume()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                r = check(server.url, "after")
                if r.status_code == 200:
                    break
                time.sleep(0.5)
            assert r.status_code == 200, r.text
            assert r.json()["outcome"] == "release", r.json()
            assert httpx.get(f"{server.url}/readyz").status_code == 200
            # Nothing was released during the outage.
            exposure = httpx.get(f"{server.url}/v1/customers/C1/exposure", headers=ERP).json()
            assert sorted(o["order_id"] for o in exposure["orders"]) == ["after", "before"]
            assert "Traceback" not in server.tail(500_000)
    finally:
        cluster.stop()
