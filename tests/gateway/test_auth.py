"""Keys on the running app: what each role may reach."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import Api, FakeClock

CUSTOMER = {
    "name": "Customer C100",
    "credit_limit": "10000.00",
    "currency": "EUR",
    "grade": "B",
    "payment_terms_days": 30,
}


@pytest.mark.parametrize("who", ["credit_controller", "cfo"])
def test_the_finance_roles_added_sign_in_and_may_do_only_their_part(api: Api, who: str) -> None:
    """They read unfreeze requests (the controller's archive) and the audit trail (§3b)."""
    api.customer("C100")
    assert api.get("/v1/unfreeze-requests", who=who).status_code == 200
    refused = [
        api.post("/v1/orders/check", {}, who=who),
        api.post("/v1/orders/sap/O1/cancel", who=who),
        api.put("/v1/customers/C100", {}, who=who),
        api.get("/v1/customers/C100/exposure", who=who),
        api.get("/v1/sync", who=who),
    ]
    for answer in refused:
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "FORBIDDEN_ROLE"
    # Section 3b: they read the audit trail.
    assert api.get("/v1/audit", who=who).status_code == 200


def check_body(erp: str, order_id: str = "O1") -> dict[str, Any]:
    return {
        "erp": erp,
        "order_id": order_id,
        "revision": 1,
        "customer_id": "C100",
        "amount": "100.00",
        "currency": "EUR",
    }


def refused_for_scope(answer: Any) -> bool:
    return answer.status_code == 403 and answer.json()["error"]["code"] == "ERP_SCOPE"


@pytest.fixture
def with_c100(settings: Settings, clock: FakeClock) -> Iterator[Api]:
    app = create_app(settings, clock=clock, run_sync_loops=False)
    with TestClient(app) as client:
        api = Api(client)
        api.customer("C100")
        yield api


def test_a_scoped_key_checks_its_own_erps_orders_only(with_c100: Api) -> None:
    api = with_c100
    refused = api.post("/v1/orders/check", check_body("sap"), who="erp_baan")
    assert refused_for_scope(refused), refused.text
    assert "baan" in refused.json()["error"]["message"]
    own = api.post("/v1/orders/check", check_body("baan"), who="erp_baan")
    assert own.status_code == 200 and own.json()["outcome"] == "release"
    orders = api.get("/v1/customers/C100/exposure").json()["orders"]
    assert [(o["erp"], o["order_id"]) for o in orders] == [("baan", "O1")]  # nothing for sap
    assert api.post("/v1/orders/check", check_body("sap")).status_code == 200  # unscoped key


def test_a_scoped_key_cancels_its_own_erps_orders_only(api: Api) -> None:
    api.customer("C100")
    assert api.check("O1").status_code == 200
    assert api.post("/v1/orders/check", check_body("baan", "B1"), who="erp_baan").is_success
    refused = api.post("/v1/orders/sap/O1/cancel", who="erp_baan")
    assert refused_for_scope(refused), refused.text
    # Refused before anything is looked up: an unknown order of another ERP says the same.
    assert refused_for_scope(api.post("/v1/orders/sap/NOPE/cancel", who="erp_baan"))
    assert api.post("/v1/orders/baan/B1/cancel", who="erp_baan").json()["status"] == "cancelled"
    orders = api.get("/v1/customers/C100/exposure").json()["orders"]
    assert [(o["erp"], o["order_id"]) for o in orders] == [("sap", "O1")]  # still reserving
    assert api.post("/v1/orders/sap/O1/cancel").status_code == 200  # an unscoped key may


def test_a_scoped_key_sends_open_items_of_its_own_erp_or_of_none(api: Api) -> None:
    api.customer("C100")
    item = {"kind": "invoice", "amount": "10.00", "currency": "EUR", "due_date": "2026-12-01"}
    snapshot = {
        "as_of": "2026-11-22T08:00:00+00:00",
        "items": [
            {**item, "item_id": "I1", "erp": "baan", "order_id": "B1"},
            {**item, "item_id": "I2"},
            {**item, "item_id": "I3", "erp": "sap", "order_id": "O1"},
        ],
    }
    refused = api.put("/v1/customers/C100/open-items", snapshot, who="erp_baan")
    assert refused_for_scope(refused), refused.text
    assert refused.json()["error"]["details"] == [{"field": "body.items.2.erp", "erp": "sap"}]
    assert api.get("/v1/customers/C100/exposure").json()["items"] == []
    snapshot["items"] = snapshot["items"][:2]
    stored = api.put("/v1/customers/C100/open-items", snapshot, who="erp_baan")
    assert stored.status_code == 200 and stored.json()["items"] == 2
    # Master data is no ERP's: a scoped key keeps sending it.
    assert api.put("/v1/customers/C100", CUSTOMER, who="erp_baan").status_code == 200
