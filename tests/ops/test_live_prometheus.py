"""A real Prometheus scrapes a running gateway under traffic; every dashboard and rule
query runs against it. Also `promtool check metrics` on the live exposition, and the
multi-worker exposition adds up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests.gateway.conftest import KEYS, SECRET
from tests.ops.test_dashboard import dashboard_exprs, rule_exprs
from tests.support.landscape import Landscape, running_landscape
from tests.support.processes import (
    ServerProcess,
    children,
    free_port,
    gateway_process,
    wait_for,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI: .ci/run installs Debian's prometheus")
        pytest.skip(f"{name} not installed (apt-get install prometheus)")
    return found


def as_(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[who]}"}


def traffic(land: Landscape) -> str:
    """Orders from both ERPs, an unfreeze with its token, a rejected token, a 4xx."""
    gw = land.gateway.url
    for erp, customers in (
        ("sap", ["1000001", "1000003", "1000005", "1000008"]),
        ("baan", ["BP001", "BP004", "BP010"]),
    ):
        for n, customer in enumerate(customers * 3):
            land.order(erp, customer, f"{500 + 700 * n}.00")
    httpx.put(
        f"{gw}/v1/customers/LIVE1",
        headers=as_("erp"),
        json={
            "name": "Live",
            "credit_limit": "100.00",
            "currency": "EUR",
            "grade": "B",
            "payment_terms_days": 30,
        },
    )
    held = httpx.post(
        f"{gw}/v1/orders/check",
        headers=as_("erp"),
        json={
            "erp": "sap",
            "order_id": "LIVE-1",
            "revision": 1,
            "customer_id": "LIVE1",
            "amount": "500.00",
            "currency": "EUR",
        },
    ).json()
    rid = httpx.post(
        f"{gw}/v1/unfreeze-requests",
        headers=as_("sales"),
        json={
            "decision_id": held["decision_id"],
            "condition": "other",
            "justification": "live test",
        },
    ).json()["request_id"]
    for who in ("sales_manager", "finance_manager", "general_manager"):  # seed 004's chain
        httpx.post(
            f"{gw}/v1/unfreeze-requests/{rid}/approve", headers=as_(who), json={"comment": "ok"}
        )
    token = httpx.get(f"{gw}/v1/unfreeze-requests/{rid}", headers=as_("sales")).json()["token"]
    for revision, tok in ((1, "forged"), (1, token)):
        httpx.post(
            f"{gw}/v1/orders/check",
            headers=as_("erp"),
            json={
                "erp": "sap",
                "order_id": "LIVE-1",
                "revision": revision,
                "customer_id": "LIVE1",
                "amount": "500.00",
                "currency": "EUR",
                "override_token": tok,
            },
        )
    httpx.post(f"{gw}/v1/orders/check", headers=as_("erp"), json={"erp": "sap"})
    httpx.post(
        f"{gw}/v1/orders/check",
        headers={**as_("erp"), "X-Request-ID": "req-trace-42"},
        json={
            "erp": "sap",
            "order_id": "LIVE-2",
            "revision": 1,
            "customer_id": "LIVE1",
            "amount": "1.00",
            "currency": "EUR",
        },
    )
    return str(token)


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[Landscape, str]]:
    exe = binary("prometheus")
    with running_landscape(tmp_path, sync_interval=2) as land:
        port = free_port()
        shutil.copy(ROOT / "config/prometheus/rules.yml", tmp_path / "rules.yml")
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(tmp_path / "rules.yml")],
            "scrape_configs": [
                {
                    "job_name": "order-hold-gateway",
                    "static_configs": [{"targets": [f"127.0.0.1:{land.gateway.port}"]}],
                }
            ],
        }
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        server = ServerProcess(
            [
                exe,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            port=port,
            env={},
            log=tmp_path / "prometheus.log",
            health_path="/-/ready",
        )
        with server:
            yield land, server.url


def query(url: str, expr: str) -> list[Any]:
    r = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10)
    body = r.json()
    assert body["status"] == "success", f"{expr}: {body}"
    result: list[Any] = body["data"]["result"]
    return result


def test_every_dashboard_and_rule_query_works_on_live_data(
    prometheus: tuple[Landscape, str],
) -> None:
    land, url = prometheus
    token = traffic(land)
    log = land.gateway.tail(5_000_000)
    assert token not in log and SECRET not in log
    assert not any(key in log for key in KEYS.values())
    traced = [json.loads(line) for line in log.splitlines() if "req-trace-42" in line]
    assert traced and {"erp", "order_id", "decision_id", "outcome", "reasons", "latency_ms"} <= set(
        traced[0]
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # Two scrapes after the traffic (rates need two samples), and a sync run.
        if (
            query(url, "count_over_time(gateway_checks_total[1m])")
            and all(
                int(float(s["value"][1])) >= 3
                for s in query(url, "count_over_time(gateway_override_tokens_total[1m])")
            )
            and query(url, "gateway_sync_runs_total")
            and query(url, "gateway_override_tokens_total")
        ):
            break
        time.sleep(1)
    time.sleep(3)
    empty = [expr for expr in dashboard_exprs() if not query(url, expr)]
    assert not empty, f"dashboard queries without data under traffic: {empty}"
    for expr in rule_exprs():
        query(url, expr)  # alerts may rightly be quiet; they must not be broken
    rules = httpx.get(f"{url}/api/v1/rules").json()["data"]["groups"]
    # "unknown" = not evaluated yet (the recording group runs every 30 s); never "err".
    broken = [
        (r["name"], r.get("lastError")) for g in rules for r in g["rules"] if r["health"] == "err"
    ]
    assert not broken, json.dumps(broken)


def test_promtool_accepts_the_live_exposition(tmp_path: Path) -> None:
    exe = binary("promtool")
    with running_landscape(tmp_path, sync_interval=3600) as land:
        land.sync("sap")
        land.order("sap", "1000001", "100.00")
        body = httpx.get(f"{land.gateway.url}/metrics").text
    r = subprocess.run([exe, "check", "metrics"], input=body, capture_output=True, text=True)
    # promtool lints names and help texts; only errors (not warnings) fail it.
    assert r.returncode == 0, r.stdout + r.stderr


def test_metrics_add_up_across_workers(tmp_path: Path) -> None:
    server = gateway_process(
        tmp_path,
        f"sqlite:///{tmp_path}/gw.db",
        workers=2,
        env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")},
    )
    with server, httpx.Client(base_url=server.url, headers=as_("erp")) as client:
        for n in range(40):
            client.post(
                "/v1/orders/check",
                json={
                    "erp": "sap",
                    "order_id": f"MW{n}",
                    "revision": 1,
                    "customer_id": "NOBODY",
                    "amount": "1.00",
                    "currency": "EUR",
                },
            )
        totals = set()
        for _ in range(6):  # whichever worker answers, the totals are all workers'
            text = httpx.get(f"{server.url}/metrics").text
            line = next(
                x
                for x in text.splitlines()
                if x.startswith('gateway_checks_total{erp="sap",outcome="hold"}')
            )
            totals.add(float(line.split()[-1]))
    assert totals == {40.0}


def _metric(base_url: str, name: str) -> float:
    text = httpx.get(f"{base_url}/metrics").text
    return float(next(x for x in text.splitlines() if x.startswith(f"{name} ")).split()[-1])


def _workers(master: int) -> set[int]:
    # uvicorn's workers are the children it spawned (not its resource tracker, say).
    return {pid for pid, cmd in children(master).items() if "multiprocessing.spawn" in cmd}


def _own_pool_limit(prom: Path, pid: int) -> float | None:
    """The pool limit one worker reports, read from its file alone."""
    file = prom / f"gauge_livesum_{pid}.db"
    if not file.exists():
        return None
    alone = prom.parent / f"prom-{pid}"
    alone.mkdir(exist_ok=True)
    shutil.copy(file, alone / file.name)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
    return registry.get_sample_value("gateway_db_pool_max_connections")


def test_pool_limits_add_up_across_workers_and_a_killed_worker_drops_out(
    tmp_path: Path,
) -> None:
    server = gateway_process(
        tmp_path,
        f"sqlite:///{tmp_path}/gw.db",
        workers=2,
        env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "GATEWAY_DB_POOL_SIZE": "7"},
    )
    with server:
        assert server.proc is not None
        wait_for(lambda: _metric(server.url, "gateway_db_pool_max_connections") == 14)
        workers = _workers(server.proc.pid)
        assert len(workers) == 2, workers
        killed = min(workers)
        os.kill(killed, 9)
        prom = tmp_path / "prom"

        def replaced() -> bool:  # uvicorn starts another worker, and its app has started
            now = _workers(server.proc.pid) if server.proc else set()
            new = now - workers
            return len(now) == 2 and len(new) == 1 and _own_pool_limit(prom, *new) == 7

        wait_for(replaced)
        # Whichever worker answers, the killed one's pool is no longer counted.
        assert {_metric(server.url, "gateway_db_pool_max_connections") for _ in range(6)} == {14}
