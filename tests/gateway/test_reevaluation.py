"""Held orders are released by themselves when a payment makes room."""

from __future__ import annotations

from tests.gateway.conftest import Api


def test_payment_releases_held_orders_in_turn(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    api.items(
        "C100",
        [
            {
                "item_id": "I1",
                "kind": "invoice",
                "amount": "8000.00",
                "currency": "EUR",
                "due_date": "2026-12-31",
            }
        ],
    )
    held_a = api.check("A", "1500.00").json()
    held_b = api.check("B", "1500.00").json()
    assert (held_a["outcome"], held_b["outcome"]) == ("release", "hold")
    # 3000 of the invoice is paid: room for B (1500), and B then reserves it.
    r = api.items(
        "C100",
        [
            {
                "item_id": "I1",
                "kind": "invoice",
                "amount": "5000.00",
                "currency": "EUR",
                "due_date": "2026-12-31",
            }
        ],
        "2026-11-22T10:00:00+00:00",
    )
    assert r.status_code == 200
    assert r.json()["released"] == ["sap/B"]
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exp["open_orders"] == "3000.00"
    # The ERP re-sending B's original request now hears the release.
    again = api.check("B", "1500.00").json()
    assert again["outcome"] == "release"
    assert again["decision_id"] != held_b["decision_id"]


def test_reevaluation_never_exceeds_the_limit(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    api.items(
        "C100",
        [
            {
                "item_id": "I1",
                "kind": "invoice",
                "amount": "9000.00",
                "currency": "EUR",
                "due_date": "2026-12-31",
            }
        ],
    )
    for n in range(5):
        assert api.check(f"H{n}", "3000.00").json()["outcome"] == "hold"
    r = api.items("C100", [], "2026-11-22T10:00:00+00:00")
    assert r.json()["released"] == ["sap/H0", "sap/H1", "sap/H2"]
    exp = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exp["open_orders"] == "9000.00"


def test_an_order_figured_in_another_currency_is_reevaluated_in_the_customers(
    api: Api,
) -> None:
    """Held while its customer was unknown, the order was figured in its own currency
    (EUR); the customer's credit turns out to be in JPY. Re-evaluated, it counts as
    what a fresh check would convert it to (1,458,000 JPY), never as 9,000 yen."""
    held = api.check("O1", "9000.00", customer_id="C200", currency="EUR").json()
    assert [r["code"] for r in held["reasons"]] == ["NO_CREDIT"]
    api.customer("C200", credit_limit="1000000", currency="JPY", grade="A")
    assert api.items("C200", []).json()["released"] == []  # 1,458,000 is over the limit
    # The raise re-evaluates at once (as a payment does): the order is released by it.
    raised = api.customer("C200", credit_limit="2000000", currency="JPY", grade="A")
    assert raised["released"] == ["sap/O1"]
    released = api.check("O1", "9000.00", customer_id="C200", currency="EUR").json()
    assert released["outcome"] == "release"
    assert released["exposure"]["order_amount"] == "1458000"
    exposure = api.get("/v1/customers/C200/exposure").json()["exposure"]
    assert exposure["open_orders"] == "1458000"


def test_an_order_held_before_a_currency_change_is_reevaluated_converted(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    assert api.check("O1", "12000.00").json()["outcome"] == "hold"  # reserves nothing
    changed = api.customer("C100", credit_limit="3000000", currency="JPY", grade="A")
    assert changed["released"] == ["sap/O1"]  # 1,944,000 JPY, re-evaluated at once
    exposure = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exposure["open_orders"] == "1944000"


def test_a_raised_limit_or_an_unblock_releases_held_orders_at_once(api: Api) -> None:
    """Issue 22: master data that makes room re-evaluates held orders as a payment does
    (SAP's credit decisions stay blocked after a raise; here they must not)."""
    api.customer("C100", credit_limit="10000.00")
    assert api.check("O1", "12000.00").json()["outcome"] == "hold"
    assert api.customer("C100", credit_limit="11000.00")["released"] == []  # not enough
    assert api.customer("C100", credit_limit="15000.00")["released"] == ["sap/O1"]
    resent = api.check("O1", "12000.00").json()
    assert resent["outcome"] == "release"  # the ERP's re-send hears the release
    api.customer("C200", blocked=True)
    assert api.check("O2", "100.00", customer_id="C200").json()["outcome"] == "hold"
    assert api.customer("C200", blocked=False)["released"] == ["sap/O2"]
