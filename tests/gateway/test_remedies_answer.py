"""Every hold answers what would release it (DESIGN.md §3b "Remedies"); the answer is
built in orders.service."""

from __future__ import annotations

from typing import Any

from tests.gateway.conftest import Api
from tests.gateway.test_release import invoice


def kinds(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["kind"]: r for r in body["remedies"]}


def test_a_limit_hold_offers_a_smaller_order_and_a_deposit(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    api.items("C100", [invoice("I1", "3000.00", "2026-12-31")])
    body = api.check("O1", "8000.00").json()
    assert body["outcome"] == "hold"
    found = kinds(body)
    assert set(found) == {"reduce_order", "prepay"}
    assert found["reduce_order"]["amount"] == "7000.00"
    assert found["prepay"]["amount"] == "1000.00"
    assert all(r["message"] for r in body["remedies"])
    assert "items" not in found["prepay"]
    # Applying the remedy releases.
    assert api.check("O2", "7000.00").json()["outcome"] == "release"


def test_an_overdue_hold_names_the_items_to_pay_oldest_first(api: Api) -> None:
    api.customer("C100", credit_limit="100000.00", grade="C")
    api.items(
        "C100",
        [
            invoice("NEW", "100.00", "2026-12-31"),
            invoice("LATE2", "300.00", "2026-11-01"),
            invoice("LATE1", "200.00", "2026-10-01"),
        ],
    )
    body = api.check("O1", "1000.00").json()
    assert [r["code"] for r in body["reasons"]] == ["OVERDUE"]
    assert body["remedies"] == [
        {
            "kind": "pay_overdue",
            "amount": "500.00",
            "message": body["remedies"][0]["message"],
            "items": ["LATE1", "LATE2"],
        }
    ]


def test_no_remedy_for_a_block_and_none_on_a_release(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00", blocked=True)
    assert api.check("O1", "100.00").json()["remedies"] == []
    api.customer("C100", credit_limit="10000.00", blocked=False)
    assert api.check("O2", "100.00").json()["remedies"] == []


def test_a_jpy_remedy_is_in_whole_yen(api: Api) -> None:
    api.customer("C200", credit_limit="1000000", currency="JPY", grade="A")
    body = api.check("O1", "1000001", customer_id="C200", currency="JPY").json()
    assert kinds(body)["reduce_order"]["amount"] == "1000000"
    assert kinds(body)["prepay"]["amount"] == "1"
