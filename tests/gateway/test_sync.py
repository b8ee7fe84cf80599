"""The sync runner against a fake ERP source (the HTTP clients are tested in tests/adapters)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.errors import PermanentErpError, TransientErpError
from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import Api, FakeClock


class FakeErp:
    erp = "sap"

    def __init__(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}
        self.as_of = "2026-11-22T09:00:00+00:00"
        self.fail_master: Exception | None = None
        self.fail_items: dict[str, Exception] = {}
        self.notified: list[dict[str, Any]] = []
        self.fail_notify = False
        self.sales: dict[str, dict[str, Any]] = {}

    async def fetch_master_data(self) -> list[tuple[str, dict[str, Any]]]:
        if self.fail_master:
            raise self.fail_master
        return list(self.customers.items())

    async def fetch_open_items(self, customer_id: str, as_of: datetime) -> dict[str, Any]:
        if customer_id in self.fail_items:
            raise self.fail_items[customer_id]
        return {"as_of": self.as_of, "items": self.items.get(customer_id, [])}

    async def fetch_sales(self, customer_id: str) -> dict[str, Any] | None:
        return self.sales.get(customer_id)

    async def notify_release(self, answer: dict[str, Any]) -> None:
        if self.fail_notify:
            raise TransientErpError("ERP down")
        self.notified.append(answer)

    async def aclose(self) -> None:
        pass


def customer(limit: str = "10000.00") -> dict[str, Any]:
    return {
        "name": "Sync GmbH",
        "credit_limit": limit,
        "currency": "EUR",
        "grade": "B",
        "payment_terms_days": 30,
        "blocked": False,
        "review_date": None,
    }


def invoice(item_id: str, amount: str) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "kind": "invoice",
        "amount": amount,
        "currency": "EUR",
        "due_date": "2026-12-31",
    }


@pytest.fixture
def erp() -> FakeErp:
    fake = FakeErp()
    fake.customers = {"S1": customer(), "S2": customer("500.00")}
    fake.items = {"S1": [invoice("I1", "9000.00")]}
    return fake


@pytest.fixture
def sync_api(settings: Settings, clock: FakeClock, erp: FakeErp) -> Iterator[Api]:
    app = create_app(settings, clock=clock, sources={"sap": erp}, run_sync_loops=False)
    with TestClient(app) as client:
        yield Api(client)


def sync(api: Api) -> dict[str, Any]:
    r = api.post("/v1/sync/sap", who="admin")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_sync_loads_master_data_and_items(sync_api: Api) -> None:
    report = sync(sync_api)
    assert (report["result"], report["customers"]) == ("success", 2)
    exp = sync_api.get("/v1/customers/S1/exposure").json()["exposure"]
    assert (exp["credit_limit"], exp["open_items"]) == ("10000.00", "9000.00")
    status = sync_api.get("/v1/sync", who="admin").json()
    assert status["erps"][0]["customers_synced"] == 2
    assert status["erps"][0]["last_success_at"] is not None


def test_payment_through_sync_releases_and_notifies(
    sync_api: Api, erp: FakeErp, clock: FakeClock
) -> None:
    sync(sync_api)
    held = sync_api.check("O1", "2000.00", customer_id="S1").json()
    assert held["outcome"] == "hold"
    erp.items["S1"] = [invoice("I1", "4000.00")]
    clock.advance(minutes=1)
    erp.as_of = "2026-11-22T09:01:00+00:00"
    report = sync(sync_api)
    assert report["released"] == ["sap/O1"]
    assert [n["order_id"] for n in erp.notified] == ["O1"]
    assert erp.notified[0]["outcome"] == "release"


def test_one_bad_customer_does_not_stop_the_others(sync_api: Api, erp: FakeErp) -> None:
    erp.fail_items["S1"] = PermanentErpError("404 from ERP")
    erp.customers["S3"] = {**customer(), "currency": "XXX"}
    report = sync(sync_api)
    assert report["result"] == "partial"
    assert report["customers"] == 1
    assert len(report["failures"]) == 2
    assert sync_api.get("/v1/customers/S2/exposure").status_code == 200
    assert sync_api.get("/v1/customers/S3/exposure").status_code == 404  # nothing half-written


def test_erp_down_keeps_the_cache_answering(sync_api: Api, erp: FakeErp) -> None:
    sync(sync_api)
    erp.fail_master = TransientErpError("timeout after retries")
    assert sync(sync_api)["result"] == "failure"
    assert sync_api.check("O9", "100.00", customer_id="S1").json()["outcome"] == "release"


def test_notify_failure_is_counted_not_fatal(sync_api: Api, erp: FakeErp, clock: FakeClock) -> None:
    sync(sync_api)
    sync_api.check("O1", "2000.00", customer_id="S1")
    erp.items["S1"] = []
    erp.fail_notify = True
    erp.as_of = "2026-11-22T09:05:00+00:00"
    assert sync(sync_api)["released"] == ["sap/O1"]
    assert 'gateway_erp_callback_failures_total{erp="sap"}' in sync_api.client.get("/metrics").text


def test_unknown_erp_and_roles(sync_api: Api) -> None:
    r = sync_api.post("/v1/sync/oracle", who="admin")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "ERP_NOT_CONFIGURED")
    assert sync_api.post("/v1/sync/sap", who="erp").status_code == 403


def test_lease_keeps_a_second_process_out(
    settings: Settings, erp: FakeErp, clock: FakeClock
) -> None:
    from gateway.db.engine import build_engine
    from gateway.db.migrate import migrate
    from gateway.db.uow import unit_of_work
    from gateway.sync import runner

    engine = build_engine(settings.database_url)
    migrate(engine)
    uow = unit_of_work(engine)
    lease = runner.timedelta(minutes=1)
    assert runner.claim_lease(uow, "sap", clock(), lease, force=False)
    original = runner.HOLDER
    try:
        runner.HOLDER = "other-host:1"
        assert not runner.claim_lease(uow, "sap", clock(), lease, force=False)
        clock.advance(minutes=2)
        assert runner.claim_lease(uow, "sap", clock(), lease, force=False)
    finally:
        runner.HOLDER = original
        engine.dispose()


def test_sync_stores_the_erps_sales_for_dso(sync_api: Api, erp: FakeErp) -> None:
    months = ("2026-08", "2026-09", "2026-10")
    erp.sales["S1"] = {"periods": [{"month": m, "amount": "10000.00"} for m in months]}
    erp.sales["S2"] = {"periods": [{"month": "2026-10", "amount": "1.001"}]}  # EUR: rounded
    erp.customers["S3"] = customer()
    erp.sales["S3"] = {"periods": [{"month": "2026-10", "amount": "1.0001"}]}  # refused whole
    report = sync(sync_api)
    assert report["customers"] == 2
    assert report["failures"] == [
        "S3: customer S3: body.periods.0.amount: at most 3 decimal places"
    ]
    # 9000 / (10,000 x 1.13) x 30 = 23.9
    assert sync_api.get("/v1/customers/S1/aging").json()["dso_days"] == 23.9
    assert sync_api.get("/v1/customers/S3/exposure").status_code == 404  # nothing half-written
