"""DESIGN §3b "Portfolio and committee": `GET /v1/portfolio`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.gateway.conftest import START, Api

TODAY = START.date()  # 2026-11-22
BUCKETS = ["current", "1-30", "31-60", "61-90", "91-180", "over_180"]
KEYS = {
    "as_of",
    "currency",
    "customers",
    "credit_limit_total",
    "exposure_total",
    "aging",
    "dso_days",
    "held_orders",
    "over_180",
    "near_limit",
    "reviews_due",
    "top_exposures",
}


def item(item_id: str, amount: str, days_overdue: int, currency: str = "EUR", **f: Any) -> Any:
    due = (TODAY - timedelta(days=days_overdue)).isoformat()
    return {"item_id": item_id, "kind": "invoice", "amount": amount, "currency": currency,
            "due_date": due, **f}  # fmt: skip


def portfolio(api: Api, who: str = "finance_manager") -> Any:
    r = api.get("/v1/portfolio", who=who)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("finance_manager", 200),
        ("credit_controller", 200),
        ("cfo", 200),
        ("general_manager", 200),
        ("admin", 200),
        ("erp", 403),
        ("sales", 403),
        ("sales_manager", 403),
        (None, 401),
    ],
)
def test_portfolio_roles(api: Api, who: str | None, status: int) -> None:
    r = api.get("/v1/portfolio", who=who)
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["error"]["code"] == "FORBIDDEN_ROLE"


def test_empty_portfolio(api: Api) -> None:
    body = portfolio(api)
    assert set(body) == KEYS
    assert body["as_of"] == TODAY.isoformat()
    assert body["currency"] == "EUR"
    assert (body["customers"], body["credit_limit_total"], body["exposure_total"]) == (
        0,
        "0.00",
        "0.00",
    )
    assert body["aging"]["total"] == dict.fromkeys(BUCKETS, "0.00")
    assert body["held_orders"] == {"count": 0, "amount": "0.00", "oldest_hours": None}
    assert body["dso_days"] is None
    assert body["over_180"] == body["near_limit"] == body["top_exposures"] == []


def test_portfolio_sums_customers_in_the_base_currency(api: Api) -> None:
    # C100 in EUR; C200 in USD (config: 1 EUR = 1.0850 USD); G300 a group company.
    api.customer(
        "C100", credit_limit="10000.00", review_date=(TODAY + timedelta(days=10)).isoformat()
    )
    api.customer("C200", credit_limit="21700.00", currency="USD", review_date="2030-01-01")
    api.customer("G300", credit_limit="5000.00", intercompany=True, review_date="2030-01-01")
    assert (
        api.items("C100", [item("I1", "9500.00", 0), item("I2", "200.00", 200)]).status_code == 200
    )
    note = {**item("N1", "2170.00", 40, "USD"), "kind": "note"}
    assert api.items("C200", [item("I3", "1085.00", 45, "USD"), note]).status_code == 200
    assert api.items("G300", [item("I4", "4000.00", 5)]).status_code == 200
    sales = {
        "periods": [{"month": m, "amount": "10000.00"} for m in ("2026-08", "2026-09", "2026-10")]
    }
    for cid in ("C100", "G300"):
        assert api.put(f"/v1/customers/{cid}/sales", sales).status_code == 200
    # A held order of C100 (over its limit).
    held = api.check("4500000009", "5000.00")
    assert held.json()["outcome"] == "hold", held.text
    assert api.clock is not None
    api.clock.advance(hours=3)

    body = portfolio(api)
    assert set(body) == KEYS
    assert body["customers"] == 3
    assert body["credit_limit_total"] == "35000.00"  # 10,000 + 20,000 + 5,000
    assert body["exposure_total"] == "16700.00"  # 9,700 + 3,000 + 4,000
    aging = body["aging"]
    assert aging["receivables"] == {
        "current": "9500.00",
        "1-30": "4000.00",
        "31-60": "1000.00",
        "61-90": "0.00",
        "91-180": "0.00",
        "over_180": "200.00",
    }
    assert aging["notes"]["31-60"] == "2000.00"
    assert aging["total"]["31-60"] == "3000.00"
    # Each customer's own aging, converted, adds up to the portfolio's.
    per_customer = [api.get(f"/v1/customers/{c}/aging").json() for c in ("C100", "G300")]
    for label in BUCKETS:
        eur = sum(float(a["total"][label]) for a in per_customer)
        usd = float(api.get("/v1/customers/C200/aging").json()["total"][label]) / 1.085
        assert float(aging["total"][label]) == pytest.approx(eur + usd, abs=0.01)
    # DSO without the group company: (9,700 + 3,000) / (10,000 x 1.13) x 30 = 33.7
    assert body["dso_days"] == 33.7
    assert body["held_orders"] == {"count": 1, "amount": "5000.00", "oldest_hours": 3.0}
    assert body["over_180"] == [
        {"customer_id": "C100", "name": "Customer C100", "amount": "200.00", "exposure": "9700.00"}
    ]
    assert [c["customer_id"] for c in body["near_limit"]] == ["C100"]
    assert body["near_limit"][0]["utilization"] == "97.0"
    assert [c["customer_id"] for c in body["top_exposures"]] == ["C100", "G300", "C200"]
    assert body["top_exposures"][2] == {
        "customer_id": "C200",
        "name": "Customer C200",
        "credit_limit": "20000.00",
        "exposure": "3000.00",
        "utilization": "15.0",
    }
    assert body["reviews_due"] == [
        {
            "customer_id": "C100",
            "name": "Customer C100",
            "review_date": (TODAY + timedelta(days=10)).isoformat(),
            "review_status": "due",
            "days_overdue": 0,
        }
    ]


def test_dated_rates_convert(api: Api) -> None:
    api.customer("C200", credit_limit="11000.00", currency="USD")
    r = api.put(
        f"/v1/fx-rates/{TODAY.isoformat()}",
        {"base": "EUR", "rates": {"USD": "1.1000"}},
        who="admin",
    )
    assert r.status_code == 200, r.text
    assert portfolio(api)["credit_limit_total"] == "10000.00"


def test_a_currency_without_a_rate_is_409_not_500(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A customer's currency whose rate the config no longer has (entry refuses it, a
    config change can take it away)."""
    from gateway.portfolio import service
    from policies.money import UnsupportedCurrencyError

    def no_rate(*_: Any, **__: Any) -> Any:
        raise UnsupportedCurrencyError("no exchange rate configured for 'SEK' (base EUR)")

    monkeypatch.setattr(service, "portfolio_view", no_rate)
    r = api.get("/v1/portfolio", who="admin")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "FX_RATE_MISSING")
