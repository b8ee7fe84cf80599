"""The ERP clients against respx: transient errors retried within bounds, permanent not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from adapters.errors import PermanentErpError, TransientErpError
from adapters.http import ErpHttp
from adapters.sources import LN_PARTNERS, SAP_CREDIT, SAP_ITEMS, BaanSource, SapSource

BASE = "http://erp.test"


def client(
    retries: list[tuple[str, int]] | None = None, attempts: int = 4, budget: float = 5.0
) -> ErpHttp:
    def on_retry(erp: str, attempt: int, exc: BaseException) -> None:
        if retries is not None:
            retries.append((erp, attempt))

    return ErpHttp(
        "sap", BASE, timeout=0.5, max_attempts=attempts, budget_seconds=budget, on_retry=on_retry
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@respx.mock
def test_transient_then_success() -> None:
    route = respx.get(f"{BASE}{SAP_CREDIT}").mock(
        side_effect=[
            httpx.Response(503),
            httpx.ConnectError("refused"),
            httpx.Response(429),
            httpx.Response(200, json={"d": {"results": []}}),
        ]
    )
    retries: list[tuple[str, int]] = []
    assert run(SapSource(client(retries)).fetch_master_data()) == []
    assert route.call_count == 4
    assert retries == [("sap", 1), ("sap", 2), ("sap", 3)]


@respx.mock
def test_retries_are_bounded_in_attempts() -> None:
    route = respx.get(f"{BASE}{SAP_CREDIT}").mock(return_value=httpx.Response(502))
    with pytest.raises(TransientErpError):
        run(SapSource(client(attempts=3)).fetch_master_data())
    assert route.call_count == 3


@respx.mock
def test_retries_are_bounded_in_time() -> None:
    route = respx.get(f"{BASE}{SAP_CREDIT}").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TransientErpError, match="timeout"):
        run(SapSource(client(attempts=50, budget=0.3)).fetch_master_data())
    assert 1 <= route.call_count < 50


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404),
        httpx.Response(400),
        httpx.Response(401),
        httpx.Response(200, content=b"{not json"),
        httpx.Response(200, json={"unexpected": True}),
        httpx.Response(200, json={"d": {"results": [{"CreditLimitAmount": "1"}]}}),
    ],
)
@respx.mock
def test_permanent_errors_are_never_retried(response: httpx.Response) -> None:
    route = respx.get(f"{BASE}{SAP_CREDIT}").mock(return_value=response)
    with pytest.raises(PermanentErpError):
        run(SapSource(client()).fetch_master_data())
    assert route.call_count == 1


@respx.mock
def test_open_items_query_and_mapping() -> None:
    route = respx.get(f"{BASE}{SAP_ITEMS}").mock(
        return_value=httpx.Response(
            200,
            json={
                "d": {
                    "results": [
                        {
                            "CompanyCode": "1010",
                            "FiscalYear": "2026",
                            "AccountingDocument": "9",
                            "AccountingDocumentItem": "1",
                            "AmountInTransactionCurrency": "10.00",
                            "TransactionCurrency": "EUR",
                            "NetDueDate": "2026-12-01",
                        }
                    ]
                }
            },
        )
    )
    body = run(
        SapSource(client()).fetch_open_items("1000003", datetime(2026, 11, 22, 9, tzinfo=UTC))
    )
    assert route.calls[0].request.url.params["$filter"] == "Customer eq '1000003'"
    assert body["items"][0]["item_id"] == "1010-2026-9-1"
    assert body["as_of"]


@respx.mock
def test_baan_partial_data_is_permanent() -> None:
    respx.get(f"{BASE}{LN_PARTNERS}").mock(
        return_value=httpx.Response(200, json={"value": [{"bpid": "BP1"}]})
    )
    with pytest.raises(PermanentErpError):
        run(BaanSource(client()).fetch_master_data())


@respx.mock
def test_release_notification_is_erp_shaped() -> None:
    route = respx.post(f"{BASE}/ln/api/salesorders/SO1/release").mock(
        return_value=httpx.Response(200, json={})
    )
    answer = {
        "decision_id": "d",
        "order_id": "SO1",
        "customer_id": "BP1",
        "outcome": "release",
        "reasons": [],
        "warnings": [],
        "override": None,
        "exposure": {
            "currency": "EUR",
            "credit_limit": "1",
            "total": "1",
            "over_limit": "0",
            "overdue_amount": "0",
        },
    }
    run(BaanSource(client()).notify_release(answer))
    assert b'"blck":"no"' in route.calls[0].request.content.replace(b" ", b"")
