"""DESIGN §3b "Portfolio and committee": `GET /v1/reports/credit-committee?month=`."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from tests.gateway.conftest import START, Api

TODAY = START.date()  # 2026-11-22
URL = "/v1/reports/credit-committee"


def item(item_id: str, amount: str, days_overdue: int, currency: str = "EUR") -> Any:
    due = (TODAY - timedelta(days=days_overdue)).isoformat()
    return {"item_id": item_id, "kind": "invoice", "amount": amount, "currency": currency,
            "due_date": due}  # fmt: skip


def report(api: Api, month: str, who: str = "finance_manager", **kw: Any) -> Any:
    return api.get(f"{URL}?month={month}", who=who, **kw)


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
def test_report_roles(api: Api, who: str | None, status: int) -> None:
    r = report(api, "2026-10", who=who)  # type: ignore[arg-type]
    assert r.status_code == status, r.text


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "x", "2026-12", "2026-10-01", ""])
def test_bad_month_is_422(api: Api, month: str) -> None:
    r = report(api, month)
    assert r.status_code == 422, r.text
    assert "error" in r.json()


def test_month_is_required(api: Api) -> None:
    assert api.get(URL, who="finance_manager").status_code == 422


def seed(api: Api) -> dict[str, Any]:
    api.customer("C100", credit_limit="10000.00", grade="B", review_date="2026-12-15")
    api.customer("C200", credit_limit="21700.00", currency="USD", grade="A",
                 review_date="2027-06-01")  # fmt: skip
    assert (
        api.items("C100", [item("I1", "9000.00", 0), item("I2", "300.00", 200)]).status_code == 200
    )
    assert api.items("C200", [item("I3", "1085.00", 10, "USD")]).status_code == 200
    periods = [{"month": m, "amount": "10000.00"} for m in ("2026-08", "2026-09", "2026-10")]
    periods.append({"month": "2026-07", "amount": "40000.00"})
    assert api.put("/v1/customers/C100/sales", {"periods": periods}).status_code == 200
    held = api.check("4500000001", "2000.00")
    assert held.json()["outcome"] == "hold", held.text
    body = {
        "decision_id": held.json()["decision_id"],
        "condition": "other",
        "justification": "strategic customer, CFO informed",
    }
    r = api.post("/v1/unfreeze-requests", body, who="sales")
    assert r.status_code in (200, 201), r.text
    return held.json()


def test_report_per_customer(api: Api) -> None:
    seed(api)
    r = report(api, "2026-11")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["month"], body["as_of"], body["aging_as_of"], body["currency"]) == (
        "2026-11",
        "2026-11-22",
        "2026-11-22",
        "EUR",
    )
    assert body["dso_basis"] == "current_open_items"
    c100, c200 = body["customers"]
    assert c100["customer_id"] == "C100" and c200["customer_id"] == "C200"
    assert (c100["credit_limit"], c100["payment_terms_days"], c100["grade"]) == (
        "10000.00",
        30,
        "B",
    )
    assert c100["exposure"] == "9300.00"
    assert c100["aging"]["receivables"]["over_180"] == "300.00"
    assert c100["overdue_over_6_months"] == "300.00"
    # Sales of Sep, Oct, Nov (none in Nov): 9,300 / (20,000 / 3 x 1.13) x 30 = 37.0
    assert c100["dso_days"] == 37.0
    assert c100["holds"] == {"count": 1, "amount": "2000.00"}
    assert c100["unfreezes"] == {"requested": 1, "released": 0, "released_amount": "0.00"}
    assert (c100["review_date"], c100["review_due"]) == ("2026-12-15", True)
    # C200's figures in the base currency (1 EUR = 1.0850 USD).
    assert (c200["credit_currency"], c200["credit_limit"], c200["exposure"]) == (
        "USD",
        "20000.00",
        "1000.00",
    )
    assert c200["aging"]["receivables"]["1-30"] == "1000.00"
    assert (c200["dso_days"], c200["review_due"]) == (None, False)
    assert c200["holds"] == {"count": 0, "amount": "0.00"}


def test_dso_of_an_earlier_month_and_its_holds(api: Api) -> None:
    seed(api)
    oct_ = report(api, "2026-10").json()
    c100 = oct_["customers"][0]
    assert oct_["aging_as_of"] == "2026-10-31"
    # Aug, Sep, Oct: 9,300 / (10,000 x 1.13) x 30 = 24.7
    assert c100["dso_days"] == 24.7
    # The hold and the request were in November: none in October.
    assert c100["holds"] == {"count": 0, "amount": "0.00"}
    assert c100["unfreezes"]["requested"] == 0
    # Aged as of October's end: I2 was 177 days past due then.
    assert c100["aging"]["receivables"]["91-180"] == "300.00"
    assert c100["overdue_over_6_months"] == "0.00"


def test_csv(api: Api) -> None:
    seed(api)
    auth = api._headers("finance_manager")
    r = api.client.get(f"{URL}?month=2026-11", headers={**auth, "Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "credit-committee-2026-11.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["customer_id"] for row in rows] == ["C100", "C200"]
    assert rows[0]["credit_limit"] == "10000.00"
    assert rows[0]["receivables_over_180"] == "300.00"
    assert rows[0]["holds_count"] == "1"
    assert rows[0]["dso_days"] == "37.0"
    assert rows[1]["dso_days"] == ""
    assert rows[0]["review_due"] == "true"
