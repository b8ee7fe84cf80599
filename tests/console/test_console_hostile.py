"""The console under the attacker's probe of issue 20: dates at the end of the calendar
and amounts in other notations get a page, never a 500, and write nothing."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import Api
from tests.support.console import csrf, sign_in


def test_the_audit_page_at_the_end_of_the_calendar(api: Api) -> None:
    sign_in(api, "finance_manager")
    r = api.client.get("/console/audit?day_from=9999-12-31&day_to=9999-12-31")
    assert r.status_code == 200, r.text
    r = api.client.get("/console/audit?day_from=0001-01-01&day_to=0001-01-01")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("amount", ["1e3", "1_000", "+100", ".5", "100.", "\u0661\u0660\u0660"])
def test_plan_amounts_typed_in_other_notations_are_refused(api: Api, amount: str) -> None:
    api.customer("C100", credit_limit="100.00")
    decision = api.check("O1", "500.00").json()["decision_id"]
    sign_in(api, "sales")
    page = api.client.get("/console/orders/sap/O1").text
    r = api.client.post(
        "/console/orders/sap/O1/unfreeze",
        data={
            "decision_id": decision,
            "condition": "repayment_plan",
            "justification": "pays in two",
            "due_date": "2026-12-15",
            "amount": amount,
            "csrf": csrf(page),
        },
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    assert "plain decimal notation" in r.text
    assert api.get("/v1/unfreeze-requests", who="admin").json()["requests"] == []


def test_amounts_typed_as_the_pages_show_them_are_taken(api: Api) -> None:
    api.customer("C100", credit_limit="100.00")
    decision = api.check("O1", "50000.00").json()["decision_id"]
    sign_in(api, "sales")
    page = api.client.get("/console/orders/sap/O1").text
    form = {
        "decision_id": decision,
        "condition": "repayment_plan",
        "justification": "pays in two",
        "due_date": ["2026-12-15", "2027-01-15"],
        "amount": ["12,000.00", "37,900.00"],
        "csrf": csrf(page),
    }
    r = api.client.post("/console/orders/sap/O1/unfreeze", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    (created,) = api.get("/v1/unfreeze-requests", who="admin").json()["requests"]
    assert [i["amount"] for i in created["repayment_plan"]] == ["12000.00", "37900.00"]


def test_form_errors_name_the_fields_as_the_page_does(api: Api) -> None:
    api.customer("C100", credit_limit="100.00")
    decision = api.check("O1", "500.00").json()["decision_id"]
    sign_in(api, "sales")
    page = api.client.get("/console/orders/sap/O1").text
    r = api.client.post(
        "/console/orders/sap/O1/unfreeze",
        data={
            "decision_id": decision,
            "condition": "repayment_plan",
            "justification": "pays in two",
            "due_date": ["2026-12-15", "someday"],
            "amount": ["100.00", "200.00"],
            "csrf": csrf(page),
        },
        follow_redirects=False,
    )
    assert r.status_code == 422
    assert "Installment 2 due date" in r.text
    assert "repayment_plan.1" not in r.text
