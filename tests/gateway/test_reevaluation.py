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


def test_an_order_checked_in_another_currency_waits_for_the_erps_next_check(api: Api) -> None:
    """Held while its customer was unknown, the order was figured in its own currency
    (EUR); the customer's credit turns out to be in JPY. Re-evaluated as if its 9,000
    were yen, it would be released for a sixth of its value (1.46 million JPY), so such
    an order is left to the ERP's next check, which converts it."""
    held = api.check("O1", "9000.00", customer_id="C200", currency="EUR").json()
    assert [r["code"] for r in held["reasons"]] == ["NO_CREDIT"]
    api.customer("C200", credit_limit="1000000", currency="JPY")
    r = api.items("C200", [])
    assert r.status_code == 200
    assert r.json()["released"] == []
    again = api.check("O1", "9000.00", customer_id="C200", currency="EUR", revision=2).json()
    assert again["outcome"] == "hold"
    assert again["exposure"]["order_amount"] == "1458000"
