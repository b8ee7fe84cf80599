"""Both mock ERPs as real processes against a real gateway: orders, sync, faults, releases."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.landscape import ADMIN, Landscape, running_landscape
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def landscape(tmp_path: Path) -> Iterator[Landscape]:
    with running_landscape(tmp_path, sync_interval=3600) as started:
        yield started


def test_orders_flow_from_both_erps(landscape: Landscape) -> None:
    assert landscape.sync("sap")["result"] == "success"
    assert landscape.sync("baan")["result"] == "success"
    # SAP alternates JSON and IDoc payloads; a grade A customer with room releases.
    first = landscape.order("sap", "1000001", "1000.00")
    second = landscape.order("sap", "1000001", "1000.00")
    assert (first["status"], second["status"]) == ("released", "released")
    blocked = landscape.order("baan", "BP010", "100.00")  # blocked business partner
    assert blocked["status"] == "blocked"
    assert blocked["reasons"] == ["BLK"]
    overdue = landscape.order("sap", "1000005", "100.00")  # 40 days overdue, grade B
    assert overdue["status"] == "blocked"
    assert "OVERDUE" in overdue["reasons"]  # type: ignore[operator]
    # The mocks' monthly sales came with the sync: both ERPs' customers have a DSO.
    for customer in ("1000001", "BP001"):
        aging = httpx.get(
            f"{landscape.gateway.url}/v1/customers/{customer}/aging", headers=ADMIN, timeout=10
        ).json()
        assert aging["dso_days"] is not None and aging["dso_days"] > 0


def test_payment_releases_the_held_order_in_the_erp(landscape: Landscape) -> None:
    landscape.sync("sap")
    held = landscape.order("sap", "1000005", "100.00")
    assert held["status"] == "blocked"
    r = httpx.post(
        f"{landscape.sap.url}/payments", json={"customer_id": "1000005", "amount": "10000.00"}
    )
    assert r.json()["cleared"]
    report = landscape.sync("sap")
    assert f"sap/{held['order_id']}" in report["released"]  # type: ignore[operator]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = httpx.get(f"{landscape.sap.url}/orders/{held['order_id']}").json()["status"]
        if status == "released":
            break
        time.sleep(0.1)
    assert status == "released"


def test_erp_failures_keep_checks_answering_and_the_sync_recovers(
    landscape: Landscape,
) -> None:
    landscape.sync("baan")
    httpx.post(f"{landscape.baan.url}/_faults", json={"error_rate": 1.0})
    failed = landscape.sync("baan")
    assert failed["result"] == "failure"
    started = time.monotonic()
    during = landscape.order("baan", "BP001", "500.00")
    assert during["status"] == "released"
    assert time.monotonic() - started < 5
    metrics = httpx.get(f"{landscape.gateway.url}/metrics").text
    assert re.search(r'gateway_sync_retries_total\{erp="baan"\} [1-9]', metrics)
    assert 'gateway_sync_runs_total{erp="baan",result="failure"}' in metrics
    httpx.delete(f"{landscape.baan.url}/_faults")
    assert landscape.sync("baan")["result"] == "success"
    log = landscape.gateway.tail(200_000)
    assert "erp_call_retry" in log


def _sync_state(land: Landscape, erp: str) -> dict[str, object]:
    body = httpx.get(f"{land.gateway.url}/v1/sync", headers=ADMIN, timeout=10).json()
    return next((s for s in body["erps"] if s["erp"] == erp), {})


def test_scheduled_sync_rides_out_an_erp_outage_by_itself(tmp_path: Path) -> None:
    with running_landscape(tmp_path, sync_interval=2) as land:
        wait_for(lambda: _sync_state(land, "sap").get("last_success_at"))
        httpx.post(f"{land.sap.url}/_faults", json={"error_rate": 1.0})
        wait_for(lambda: _sync_state(land, "sap").get("last_error"))
        failed_since = _sync_state(land, "sap")["last_success_at"]
        started = time.monotonic()
        assert land.order("sap", "1000001", "250.00")["status"] == "released"
        assert time.monotonic() - started < 5  # answered from the cache
        httpx.delete(f"{land.sap.url}/_faults")
        wait_for(
            lambda: (
                _sync_state(land, "sap").get("last_success_at") != failed_since
                and not _sync_state(land, "sap").get("last_error")
            )
        )
        assert "erp_call_retry" in land.gateway.tail(500_000)
