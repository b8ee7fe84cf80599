"""DESIGN §3b "Terms, notes, aging, DSO": customers' terms, due dates from document dates,
notes aged by the seed's rule, credits, prepaid orders, order terms, aging and DSO."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.gateway.conftest import START, Api

TODAY = START.date()  # 2026-11-22 (Europe/Berlin, 10:00)
BUCKETS = ["current", "1-30", "31-60", "61-90", "91-180", "over_180"]


def inv(item_id: str, amount: str, **fields: Any) -> dict[str, Any]:
    return {"item_id": item_id, "kind": "invoice", "amount": amount, "currency": "EUR", **fields}


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def zeros() -> dict[str, str]:
    return dict.fromkeys(BUCKETS, "0.00")


# --- customers' terms ---------------------------------------------------------------------


def test_terms_fields_are_stored_and_returned(api: Api) -> None:
    body = api.customer(payment_terms_basis="month_end", closing_day=25, intercompany=True)
    assert (body["payment_terms_basis"], body["closing_day"], body["intercompany"]) == (
        "month_end",
        25,
        True,
    )
    # Left out, they keep their stored values (an ERP that knows nothing of them).
    again = api.customer(credit_limit="20000.00")
    assert (again["payment_terms_basis"], again["closing_day"], again["intercompany"]) == (
        "month_end",
        25,
        True,
    )
    # closing_day null: the month's end, said explicitly.
    assert api.customer(closing_day=None)["closing_day"] is None
    fresh = api.customer("C200")
    assert (fresh["payment_terms_basis"], fresh["closing_day"], fresh["intercompany"]) == (
        "invoice",
        None,
        False,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"payment_terms_basis": "weekly"},
        {"closing_day": 0},
        {"closing_day": 29},
        {"closing_day": "25"},
        {"closing_day": 2.5},
        {"intercompany": "yes"},
        {"intercompany": 1},
    ],
)
def test_bad_terms_fields_are_refused(api: Api, fields: dict[str, Any]) -> None:
    api.customer()
    body = {
        "name": "X",
        "credit_limit": "1.00",
        "currency": "EUR",
        "grade": "B",
        "payment_terms_days": 30,
        **fields,
    }
    r = api.put("/v1/customers/C100", body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert api.get("/v1/customers/C100/exposure").json()["exposure"]["credit_limit"] == "10000.00"


# --- due dates from document dates ----------------------------------------------------------


def due_dates(api: Api, cid: str = "C100") -> dict[str, str]:
    items = api.get(f"/v1/customers/{cid}/exposure").json()["items"]
    return {i["item_id"]: i["due_date"] for i in items}


def test_due_date_is_computed_from_the_terms_when_pushed_and_fixed_then(api: Api) -> None:
    api.customer(payment_terms_days=30)
    api.customer("C200", payment_terms_days=30, payment_terms_basis="month_end")
    api.customer("C300", payment_terms_days=10, payment_terms_basis="month_end", closing_day=25)
    items = [
        inv("I1", "100.00", document_date="2026-10-10"),
        inv("I2", "100.00", document_date="2026-10-10", due_date="2026-10-20"),
    ]
    for cid in ("C100", "C200", "C300"):
        assert api.items(cid, items).status_code == 200
    assert due_dates(api) == {"I1": "2026-11-09", "I2": "2026-10-20"}
    assert due_dates(api, "C200") == {"I1": "2026-11-30", "I2": "2026-10-20"}  # Oct 31 + 30
    assert due_dates(api, "C300") == {"I1": "2026-11-04", "I2": "2026-10-20"}  # Oct 25 + 10
    # Terms changed later: the pushed item keeps its due date, pushed again too; a new
    # item (or one with another document date) gets the terms of its push.
    api.customer(payment_terms_days=90)
    assert due_dates(api) == {"I1": "2026-11-09", "I2": "2026-10-20"}
    again = [*items, inv("I3", "1.00", document_date="2026-10-10")]
    assert api.items("C100", again, "2026-11-22T09:30:00+00:00").status_code == 200
    assert due_dates(api) == {"I1": "2026-11-09", "I2": "2026-10-20", "I3": "2027-01-08"}
    moved = [inv("I1", "100.00", document_date="2026-10-11"), items[1]]
    assert api.items("C100", moved, "2026-11-22T09:40:00+00:00").status_code == 200
    assert due_dates(api) == {"I1": "2027-01-09", "I2": "2026-10-20"}
    api.customer(payment_terms_days=30)
    api.items("C100", items, "2026-11-22T09:50:00+00:00")
    assert due_dates(api) == {"I1": "2026-11-09", "I2": "2026-10-20"}
    # I1 is 13 days overdue, I2 33: grade B tolerates 7 days, and holds on any amount.
    held = api.check("O1", "10.00").json()
    assert held["outcome"] == "hold"
    assert [r["code"] for r in held["reasons"]] == ["OVERDUE"]
    assert held["exposure"]["overdue_amount"] == "200.00"
    assert held["exposure"]["oldest_overdue_days"] == 33


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (inv("I1", "1.00"), "body.items.1"),
        (inv("I1", "1.00", due_date=None, document_date=None), "body.items.1"),
        (inv("I1", "1.00", due_date="2026-11-01", invoice_date="2026-10-01"), "body.items.1"),
        (inv("I1", "1.00", document_date="2026-13-01"), "body.items.1.document_date"),
        (inv("I1", "1.00", document_date="9999-12-31"), "body.items.1.document_date"),
        (
            {**inv("I1", "1.00", due_date="2026-11-01"), "kind": "note", "invoice_date": "x"},
            "body.items.1.invoice_date",
        ),
        ({**inv("I1", "1.00", due_date="2026-11-01"), "kind": "deposit"}, "body.items.1.kind"),
    ],
)
def test_bad_item_dates_are_refused_whole(api: Api, item: dict[str, Any], field: str) -> None:
    api.customer()
    assert api.items("C100", [inv("OK", "5.00", due_date="2026-12-01")]).status_code == 200
    r = api.items("C100", [inv("I0", "1.00", due_date="2026-12-01"), item])
    assert r.status_code == 422, r.text
    assert any(d["field"].startswith(field) for d in r.json()["error"]["details"]), r.text
    assert list(due_dates(api)) == ["OK"]


# --- notes, credits and the aging ------------------------------------------------------------


def aging(api: Api, cid: str = "C100", who: str = "erp") -> Any:
    r = api.get(f"/v1/customers/{cid}/aging", who=who)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_notes_days_past_term_are_fixed_when_pushed(api: Api) -> None:
    api.customer(payment_terms_days=60)
    note = {
        **inv("N1", "10.00", due_date="2010-06-20", invoice_date="2010-01-20"),
        "kind": "note",
    }
    api.items("C100", [note])
    api.customer(payment_terms_days=10)  # 140 days past term if counted again: 91-180
    api.items("C100", [note], "2026-11-22T09:30:00+00:00")
    assert aging(api)["notes"]["61-90"] == "10.00"
    # Another invoice date is another count, under today's terms.
    api.items("C100", [{**note, "invoice_date": "2010-01-21"}], "2026-11-22T09:40:00+00:00")
    assert aging(api)["notes"]["91-180"] == "10.00"


def test_seed_note_example_ages_61_90(api: Api) -> None:
    # Seed 004 §3.0: invoice 2010-01-20, 60 days, note maturing 2010-06-20 -> 90 days.
    api.customer(payment_terms_days=60)
    note = {
        **inv("N1", "125000.00", due_date="2010-06-20", invoice_date="2010-01-20"),
        "kind": "note",
    }
    assert api.items("C100", [note]).status_code == 200
    body = aging(api)
    assert body["notes"] == {**zeros(), "61-90": "125000.00"}
    assert body["receivables"] == zeros()
    assert body["total"] == {**zeros(), "61-90": "125000.00"}
    assert (body["as_of"], body["currency"], body["dso_days"]) == ("2026-11-22", "EUR", None)


def test_aging_buckets_receivables_and_notes_apart_then_summed(api: Api) -> None:
    api.customer(payment_terms_days=30)
    note = {**inv("N1", "7.00", due_date=ago(45)), "kind": "note"}  # by maturity: 31-60
    items = [
        inv("I0", "1.00", due_date=ago(-10)),
        inv("I1", "2.00", due_date=ago(0)),
        inv("I2", "4.00", due_date=ago(1)),
        inv("I3", "8.00", due_date=ago(31)),
        inv("I4", "16.00", due_date=ago(90)),
        inv("I5", "32.00", due_date=ago(180)),
        inv("I6", "64.00", due_date=ago(181)),
        note,
        {**inv("P1", "500.00", due_date=ago(400)), "kind": "prepayment"},
        {**inv("C1", "100.00", due_date=ago(400)), "kind": "credit_note"},
    ]
    assert api.items("C100", items).status_code == 200
    body = aging(api)
    assert list(body["receivables"]) == BUCKETS
    assert body["receivables"] == {
        "current": "3.00",
        "1-30": "4.00",
        "31-60": "8.00",
        "61-90": "16.00",
        "91-180": "32.00",
        "over_180": "64.00",
    }
    assert body["notes"] == {**zeros(), "31-60": "7.00"}
    assert body["total"]["31-60"] == "15.00"
    # The credits lower exposure (and are never overdue): 134 - 600.
    exposure = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exposure["open_items"] == "-466.00"
    assert exposure["overdue_amount"] == "127.00"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("erp", 200),
        ("finance_manager", 200),
        ("credit_controller", 200),
        ("cfo", 200),
        ("general_manager", 200),
        ("admin", 200),
        ("sales", 403),
        ("sales_manager", 403),
        (None, 401),
    ],
)
def test_aging_roles(api: Api, who: str | None, status: int) -> None:
    api.customer()
    assert api.get("/v1/customers/C100/aging", who=who).status_code == status


def test_aging_of_an_unknown_customer_is_404(api: Api) -> None:
    r = api.get("/v1/customers/NOPE/aging")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "CUSTOMER_NOT_FOUND")


# --- sales and DSO ---------------------------------------------------------------------------


def sales(api: Api, periods: list[dict[str, Any]], who: str = "erp", cid: str = "C100") -> Any:
    return api.put(f"/v1/customers/{cid}/sales", {"periods": periods}, who=who)


def test_dso_from_the_last_three_complete_months(api: Api) -> None:
    api.customer(payment_terms_days=30)
    assert aging(api)["dso_days"] is None
    r = sales(
        api,
        [
            {"month": "2026-08", "amount": "100000.00"},
            {"month": "2026-09", "amount": 100000},
            {"month": "2026-10", "amount": "100000"},
            {"month": "2026-11", "amount": "999999.00"},  # not complete: left out
            {"month": "2026-07", "amount": "1.00"},  # too old: left out
        ],
    )
    assert r.status_code == 200, r.text
    assert r.json()["periods"][0] == {"month": "2026-07", "amount": "1.00"}
    assert aging(api)["dso_days"] == 0.0
    note = {**inv("N1", "13000.00", due_date=ago(-20)), "kind": "note"}
    api.items("C100", [inv("I1", "100000.00", due_date=ago(5)), note])
    # (100,000 + 13,000) / (100,000 x 1.13) x 30 = 30.0
    assert aging(api)["dso_days"] == 30.0
    # A month sent again replaces that month's figure; the others stay.
    assert sales(api, [{"month": "2026-10", "amount": "40000.00"}]).status_code == 200
    # 113,000 / (80,000 x 1.13) x 30 = 37.5
    assert aging(api)["dso_days"] == 37.5


@pytest.mark.parametrize(
    ("periods", "code"),
    [
        ([{"month": "2026-13", "amount": "1.00"}], "VALIDATION_ERROR"),
        ([{"month": "2026-1", "amount": "1.00"}], "VALIDATION_ERROR"),
        ([{"month": "2026-10"}], "VALIDATION_ERROR"),
        ([{"month": "2026-10", "amount": "-1.00"}], "INVALID_AMOUNT"),
        ([{"month": "2026-10", "amount": "1.0001"}], "INVALID_AMOUNT"),
        ([{"month": "2026-10", "amount": "1e3"}], "INVALID_AMOUNT"),
    ],
)
def test_bad_sales_are_refused_whole(api: Api, periods: list[dict[str, Any]], code: str) -> None:
    api.customer()
    assert sales(api, [{"month": "2026-09", "amount": "3.00"}]).status_code == 200
    r = sales(api, [{"month": "2026-08", "amount": "5.00"}, *periods])
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code
    assert sales(api, [{"month": "2026-09", "amount": "3.00"}]).json()["periods"] == [
        {"month": "2026-09", "amount": "3.00"}
    ]


def test_sales_roles_and_unknown_customer(api: Api) -> None:
    api.customer()
    assert sales(api, []).status_code == 422
    period = [{"month": "2026-10", "amount": "1.00"}]
    assert sales(api, period, who="admin").status_code == 200
    # More decimals than the currency has (at most 3): rounded half up, a statistic.
    rounded = sales(api, [{"month": "2026-09", "amount": "2.005"}]).json()["periods"]
    assert rounded[0] == {"month": "2026-09", "amount": "2.01"}
    # Periods of one month in one body add up (one per sales organization, say).
    twice = [{"month": "2026-08", "amount": "1.50"}, {"month": "2026-08", "amount": "2.25"}]
    assert sales(api, twice).json()["periods"][0] == {"month": "2026-08", "amount": "3.75"}
    assert sales(api, period, who="finance_manager").status_code == 403
    assert sales(api, period, who="sales").status_code == 403
    r = sales(api, period, cid="NOPE")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "CUSTOMER_NOT_FOUND")


# --- the check: overdue as the seed says, prepaid orders, order terms -----------------------


def test_grade_a_holds_on_any_overdue_amount_beyond_its_tolerance(api: Api) -> None:
    api.customer(grade="A")
    api.items("C100", [inv("I1", "0.01", due_date=ago(16)), inv("I2", "400.00", due_date=ago(15))])
    held = api.check("O1", "10.00").json()
    assert held["outcome"] == "hold"
    assert held["reasons"][0]["code"] == "OVERDUE"
    assert held["exposure"]["overdue_amount"] == "0.01"


def test_a_prepaid_order_releases_for_a_grade_d_customer_and_reserves_nothing(api: Api) -> None:
    api.customer(grade="D", credit_limit="0")
    api.items("C100", [inv("I1", "900.00", due_date=ago(100))])
    assert api.check("O0", "10.00").json()["outcome"] == "hold"
    first = api.check("O1", "50000.00", security="prepaid").json()
    assert (first["outcome"], first["reasons"]) == ("release", [])
    second = api.check("O2", "50000.00", security="prepaid").json()
    assert second["outcome"] == "release"
    assert second["exposure"]["open_orders"] == "0.00"
    # Replayed as stored; the same revision without the security is another request.
    assert api.check("O1", "50000.00", security="prepaid").json() == first
    r = api.check("O1", "50000.00")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "IDEMPOTENCY_CONFLICT")
    # Invoicing a prepaid order gives back nothing it did not reserve.
    api.items("C100", [inv("I2", "100.00", due_date=ago(-30), order_id="O1")], START.isoformat())
    exposure = api.get("/v1/customers/C100/exposure").json()
    assert (exposure["exposure"]["open_orders"], exposure["orders"]) == ("0.00", [])


def test_a_prepaid_order_of_a_blocked_customer_is_held(api: Api) -> None:
    api.customer(blocked=True)
    held = api.check("O1", "10.00", security="prepaid").json()
    assert held["outcome"] == "hold"
    assert [r["code"] for r in held["reasons"]] == ["CUSTOMER_BLOCKED"]


def test_order_terms_longer_than_approved_hold_and_stay_held_after_a_payment(api: Api) -> None:
    api.customer(payment_terms_days=30)
    assert api.check("O1", "10.00", payment_terms_days=30).json()["outcome"] == "release"
    held = api.check("O2", "10.00", payment_terms_days=45).json()
    assert held["outcome"] == "hold"
    assert held["reasons"] == [
        {
            "code": "TERMS_EXCEED_APPROVED",
            "message": "order payment terms of 45 days exceed the approved 30 days",
        }
    ]
    # A payment re-evaluates held orders: the order's own terms still hold it.
    r = api.items("C100", [], START.isoformat())
    assert r.json()["released"] == []
    # A higher revision with terms within the approved ones is released.
    assert api.check("O2", "10.00", revision=2).json()["outcome"] == "release"


def test_metrics_count_the_new_reason(api: Api) -> None:
    api.customer(payment_terms_days=30)
    api.check("O2", "10.00", payment_terms_days=45)
    text = api.get("/metrics", who=None).text
    assert 'reason="TERMS_EXCEED_APPROVED"' in text


def test_shipped_dates_compare_in_the_business_zone(api: Api) -> None:
    # 2026-11-22T23:30Z is already the 23rd in Berlin: an item due the 22nd is 1 day late.
    assert api.clock is not None
    api.clock.now = START.replace(hour=23, minute=30)
    api.customer()
    api.items("C100", [inv("I1", "3.00", due_date=date(2026, 11, 22).isoformat())])
    assert aging(api)["receivables"]["1-30"] == "3.00"
    assert aging(api)["as_of"] == "2026-11-23"
