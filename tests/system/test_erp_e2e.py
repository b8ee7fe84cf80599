"""Both mock ERPs as real processes against a real gateway: orders, sync, faults, releases."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.gateway.conftest import API_KEYS, KEYS, SECRET
from tests.support.processes import ServerProcess, free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"Authorization": f"Bearer {KEYS['admin']}"}


@dataclass
class Landscape:
    gateway: ServerProcess
    sap: ServerProcess
    baan: ServerProcess

    def sync(self, erp: str) -> dict[str, object]:
        r = httpx.post(f"{self.gateway.url}/v1/sync/{erp}", headers=ADMIN, timeout=60)
        assert r.status_code == 200, r.text
        body: dict[str, object] = r.json()
        return body

    def order(self, erp: str, customer: str, amount: str) -> dict[str, object]:
        mock = self.sap if erp == "sap" else self.baan
        r = httpx.post(
            f"{mock.url}/orders", json={"customer_id": customer, "amount": amount}, timeout=30
        )
        assert r.status_code == 201, r.text
        body: dict[str, object] = r.json()
        return body


@pytest.fixture
def landscape(tmp_path: Path) -> Iterator[Landscape]:
    ports = {name: free_port() for name in ("gateway", "sap", "baan")}
    config = (ROOT / "config" / "gateway.toml").read_text()
    config = config.replace("enabled = false", "enabled = true")
    config = config.replace("http://127.0.0.1:8101", f"http://127.0.0.1:{ports['sap']}")
    config = config.replace("http://127.0.0.1:8102", f"http://127.0.0.1:{ports['baan']}")
    config = re.sub(r"sync_interval_seconds = \d+", "sync_interval_seconds = 3600", config)
    config = re.sub(r"retry_budget_seconds = \d+", "retry_budget_seconds = 3", config)
    (tmp_path / "gateway.toml").write_text(config)
    gateway = ServerProcess(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(ports["gateway"])],
        port=ports["gateway"],
        cwd=ROOT,
        log=tmp_path / "gateway.log",
        env={
            "GATEWAY_API_KEYS": API_KEYS,
            "GATEWAY_TOKEN_SECRET": SECRET,
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path}/gw.db",
            "GATEWAY_CONFIG": str(tmp_path / "gateway.toml"),
            "GATEWAY_LOG_FORMAT": "json",
        },
    )
    mocks = {
        erp: ServerProcess(
            [
                sys.executable,
                "-m",
                f"adapters.{erp}.mock",
                "--port",
                str(ports[erp]),
                "--gateway-url",
                f"http://127.0.0.1:{ports['gateway']}",
                "--api-key",
                KEYS["erp"],
            ],
            port=ports[erp],
            cwd=ROOT,
            log=tmp_path / f"{erp}.log",
            env={},
        )
        for erp in ("sap", "baan")
    }
    with mocks["sap"], mocks["baan"], gateway:
        yield Landscape(gateway, mocks["sap"], mocks["baan"])


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
