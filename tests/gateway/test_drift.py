"""Dual control under ERP ownership: credit fields the ERP changed after their
application, and credit no application granted, are listed for finance (issue 22)."""

from __future__ import annotations

from gateway.credit_applications.drift import drifted
from gateway.db.engine import read_tx
from tests.gateway.conftest import START, Api
from tests.gateway.test_credit_applications import decide, filed
from tests.support.console import sign_in


def found(api: Api) -> dict[str, list[tuple[str, str, str]]]:
    engine = api.client.app.state.resources.engine  # type: ignore[attr-defined]
    with read_tx(engine) as conn:
        return {
            d.customer_id: [(x.field, x.granted, x.current) for x in d.differences]
            for d in drifted(conn, START.date())
        }


def test_what_the_erp_changed_after_the_application_is_listed(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")  # credit with no application
    assert found(api) == {"C100": [("credit_limit", "", "10000")]}
    app = filed(api, customer_id="C100", kind="update", credit_limit="12000.00")
    for role in app["required_roles"]:
        assert decide(api, app["application_id"], role).status_code == 200
    assert found(api) == {}  # the ERP's fields are what was granted
    api.customer("C100", credit_limit="15000.00", grade="A", payment_terms_days=45)
    assert found(api) == {
        "C100": [
            ("credit_limit", "12000", "15000"),
            ("payment_terms_days", "30", "45"),
            ("grade", "B", "A"),
            # The ERP's push said no review date; the application set one from the grade.
            ("review_date", "2027-11-22", ""),
        ]
    }
    sign_in(api, "finance_manager")
    page = api.client.get("/console/drift").text
    assert 'id="drift"' in page and "15000" in page and "Grade" in page
    sign_in(api, "sales")
    assert api.client.get("/console/drift").status_code == 403
