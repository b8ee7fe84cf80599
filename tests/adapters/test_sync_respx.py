"""The sync through the real SAP client against respx: a partial failure is reported,
the rest is applied, transient errors are retried, permanent ones are not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from adapters.http import ErpHttp
from adapters.sources import SAP_CREDIT, SAP_ITEMS, SAP_SALES, SapSource
from gateway.app import create_app
from gateway.settings import Settings
from gateway.sync.factory import record_retry
from tests.gateway.conftest import KEYS, FakeClock

BASE = "http://sap.test"
ADMIN = {"Authorization": f"Bearer {KEYS['admin']}"}
ERP = {"Authorization": f"Bearer {KEYS['erp']}"}


def segment(bp: str, limit: str) -> dict[str, Any]:
    return {
        "BusinessPartner": bp,
        "CreditLimitAmount": limit,
        "CreditSegmentCurrency": "EUR",
        "CreditRiskClass": "B",
        "CustomerPaymentTerms": "NT30",
    }


def items_for(request: httpx.Request) -> httpx.Response:
    customer = request.url.params["$filter"].split("'")[1]
    if customer == "2":
        return httpx.Response(404)  # permanent for this customer only
    return httpx.Response(
        200,
        json={
            "d": {
                "results": [
                    {
                        "CompanyCode": "1010",
                        "FiscalYear": "2026",
                        "AccountingDocument": f"9{customer}",
                        "AccountingDocumentItem": "1",
                        "AmountInTransactionCurrency": "100.00",
                        "TransactionCurrency": "EUR",
                        "NetDueDate": "2099-01-01",
                    }
                ]
            }
        },
    )


def sales_for(request: httpx.Request) -> httpx.Response:
    customer = request.url.params["$filter"].split("'")[1]
    months = ("202608", "202609", "202610")
    return httpx.Response(
        200,
        json={
            "d": {
                "results": [
                    {"Customer": customer, "YearMonth": m, "NetAmount": "885.00", "Currency": "EUR"}
                    for m in months
                ]
            }
        },
    )


@pytest.fixture
def client(settings: Settings, clock: FakeClock) -> Iterator[TestClient]:
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="testserver").pass_through()
        credit = mock.get(f"{BASE}{SAP_CREDIT}").mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(
                    200, json={"d": {"results": [segment("1", "1000.00"), segment("2", "2000.00")]}}
                ),
            ]
        )
        items = mock.get(f"{BASE}{SAP_ITEMS}").mock(side_effect=items_for)
        mock.get(f"{BASE}{SAP_SALES}").mock(side_effect=sales_for)
        source = SapSource(
            ErpHttp(
                "sap", BASE, timeout=0.5, max_attempts=3, budget_seconds=5, on_retry=record_retry
            )
        )
        app = create_app(settings, clock=clock, sources={"sap": source}, run_sync_loops=False)
        with TestClient(app) as test_client:
            test_client.credit_route = credit  # type: ignore[attr-defined]
            test_client.items_route = items  # type: ignore[attr-defined]
            yield test_client


def test_partial_failure_applies_the_rest(client: TestClient) -> None:
    retries_before = REGISTRY.get_sample_value("gateway_sync_retries_total", {"erp": "sap"}) or 0
    report = client.post("/v1/sync/sap", headers=ADMIN).json()
    assert report["result"] == "partial"
    assert report["customers"] == 1
    assert report["failures"] == ["2: sap: HTTP 404 on " + SAP_ITEMS]
    assert client.credit_route.call_count == 2  # type: ignore[attr-defined]  # 503 retried
    assert client.items_route.call_count == 2  # type: ignore[attr-defined]  # 404 not retried
    one = client.get("/v1/customers/1/exposure", headers=ERP).json()
    assert one["exposure"]["open_items"] == "100.00"
    # The ERP's sales came with it: 100 / (885 x 1.13) x 30 = 3.0 days.
    assert client.get("/v1/customers/1/aging", headers=ERP).json()["dso_days"] == 3.0
    # Customer 2's snapshot failed as a whole: nothing of it was half-written.
    assert client.get("/v1/customers/2/exposure", headers=ERP).status_code == 404
    retries = REGISTRY.get_sample_value("gateway_sync_retries_total", {"erp": "sap"})
    assert retries == retries_before + 1
    assert 'gateway_sync_runs_total{erp="sap",result="partial"}' in client.get("/metrics").text
