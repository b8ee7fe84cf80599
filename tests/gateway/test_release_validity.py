"""Release validity (SAP's days and deviation %), on the check and the ERP adapters'
endpoints; the controller's release tells the order's ERP (DESIGN.md §3b)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import KEYS, Api, FakeClock, shipped_config
from tests.gateway.test_release import approve_all, file, held_request, invoice, release
from tests.gateway.test_sync import FakeErp


def token_of(api: Api, rid: str) -> str:
    token: str = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token"]
    return token


@pytest.fixture
def released(api: Api) -> tuple[Api, str]:
    """O1 (12,000 over a 10,000 limit) released by its token at revision 1."""
    api.customer("C100", credit_limit="10000.00")
    rid = held_request(api, "O1", "12000.00")
    body = api.check("O1", "12000.00", override_token=token_of(api, rid)).json()
    assert body["outcome"] == "release"
    return api, rid


def test_a_smaller_later_revision_stays_released(released: tuple[Api, str]) -> None:
    api, rid = released
    body = api.check("O1", "11000.00", revision=2).json()
    assert body["outcome"] == "release"
    assert body["override"] == {
        "request_id": rid,
        "approved_by": ["sales_manager", "finance_manager", "general_manager"],
        "valid_until": "2026-12-22T09:00:00+00:00",
        "max_amount": "12000.00",
    }
    assert body["remedies"] == []
    exposure = api.get("/v1/customers/C100/exposure").json()
    assert exposure["exposure"]["open_orders"] == "11000.00"  # the new amount reserves
    # The same amount again, a revision later: still within both bounds.
    assert api.check("O1", "12000.00", revision=3).json()["outcome"] == "release"


def test_above_the_released_amount_it_is_checked_as_usual(released: tuple[Api, str]) -> None:
    api, _ = released
    body = api.check("O1", "12000.01", revision=2).json()
    assert body["outcome"] == "hold"
    assert body["override"] is None
    assert [x["code"] for x in body["reasons"]] == ["CREDIT_LIMIT_EXCEEDED"]


def test_after_the_days_it_is_checked_as_usual(released: tuple[Api, str], clock: FakeClock) -> None:
    api, _ = released
    clock.advance(days=30)
    api.items("C100", [], clock.now.isoformat())
    assert api.check("O1", "11000.00", revision=2).json()["outcome"] == "release"
    clock.advance(seconds=1)
    late = api.check("O1", "11000.00", revision=3).json()
    assert (late["outcome"], late["override"]) == ("hold", None)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"blocked": True}, "CUSTOMER_BLOCKED"),
        ({"grade": "D"}, "NO_CREDIT"),
        ({"credit_limit": "0"}, "NO_CREDIT"),
    ],
)
def test_a_new_block_ends_it(released: tuple[Api, str], change: dict[str, Any], code: str) -> None:
    api, _ = released
    api.customer("C100", **{"credit_limit": "10000.00", **change})
    body = api.check("O1", "11000.00", revision=2).json()
    assert body["outcome"] == "hold"
    assert code in [x["code"] for x in body["reasons"]]


def test_a_larger_overdue_than_the_requests_figure_ends_it(released: tuple[Api, str]) -> None:
    api, _ = released
    api.items("C100", [invoice("I1", "500.00", "2026-10-01")], "2026-11-22T10:00:00+00:00")
    body = api.check("O1", "11000.00", revision=2).json()
    assert body["outcome"] == "hold"
    assert "OVERDUE" in [x["code"] for x in body["reasons"]]


@pytest.mark.parametrize(
    "config_text",
    [shipped_config().replace('deviation_percent = "0"', 'deviation_percent = "5"')],
)
def test_an_upward_deviation_is_opt_in(released: tuple[Api, str]) -> None:
    api, _ = released
    body = api.check("O1", "12600.00", revision=2).json()
    assert body["outcome"] == "release"
    assert body["override"]["max_amount"] == "12600.00"
    assert api.check("O1", "12600.01", revision=3).json()["outcome"] == "hold"


@pytest.mark.parametrize("config_text", [shipped_config().replace("days = 30", "days = 0")])
def test_days_zero_turns_validity_off(released: tuple[Api, str]) -> None:
    api, _ = released
    assert api.check("O1", "11000.00", revision=2).json()["outcome"] == "hold"


def test_a_controller_release_is_valid_too(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = held_request(api, "O1", "12000.00")
    assert release(api, rid).status_code == 200
    body = api.check("O1", "11000.00", revision=2).json()
    assert (body["outcome"], body["override"]["request_id"]) == ("release", rid)


def test_validity_through_the_erp_adapter_endpoint(api: Api) -> None:
    api.customer("BP003", credit_limit="4000.00")
    first = api.check("SO000123", "4200.50", erp="baan", customer_id="BP003").json()
    assert first["outcome"] == "hold"

    rid = file(api, first["decision_id"])["request_id"]
    approve_all(api, rid)
    assert release(api, rid).json()["outcome"] == "release"
    payload = (
        '{"tdsls400": {"orno": "SO000123", "ofbp": "BP003", "ifbp": "BP003", "ccur": "EUR",'
        ' "oamt": "%s", "sqnb": %d, "cofc": "SLS100", "odat": "2026-11-22"}}'
    )
    headers = {"Authorization": f"Bearer {KEYS['erp']}", "Content-Type": "application/json"}
    smaller = api.client.post(
        "/v1/adapters/baan/sales-orders", content=payload % ("4100.00", 2), headers=headers
    )
    assert smaller.status_code == 200, smaller.text
    assert smaller.json()["blck"] == "no"
    larger = api.client.post(
        "/v1/adapters/baan/sales-orders", content=payload % ("4300.00", 3), headers=headers
    )
    assert larger.json()["blck"] == "yes"


@pytest.fixture
def erp() -> FakeErp:
    return FakeErp()


@pytest.fixture
def erp_api(settings: Settings, clock: FakeClock, erp: FakeErp) -> Iterator[Api]:
    app = create_app(settings, clock=clock, sources={"sap": erp}, run_sync_loops=False)
    with TestClient(app) as client:
        yield Api(client, clock)


def test_the_controllers_release_is_told_to_the_orders_erp(erp_api: Api, erp: FakeErp) -> None:
    erp_api.customer("C100", credit_limit="10000.00")
    rid = held_request(erp_api, "O1", "12000.00")
    answer = release(erp_api, rid).json()
    assert [n["order_id"] for n in erp.notified] == ["O1"]
    assert erp.notified[0] == answer
