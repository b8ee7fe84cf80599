"""Master data ownership: under `owner = "gateway"` only applications change credit
fields; under both owners every change of them is audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import ROOT, Api, FakeClock
from tests.gateway.test_credit_applications import decide, filed


@pytest.fixture
def owned(settings: Settings, clock: FakeClock, tmp_path: Path) -> Iterator[Api]:
    config = tmp_path / "gateway.toml"
    shipped = (ROOT / "config" / "gateway.toml").read_text()
    assert '[master_data]\nowner = "erp"\n' in shipped
    config.write_text(
        shipped.replace('[master_data]\nowner = "erp"', '[master_data]\nowner = "gateway"')
    )
    app = create_app(replace(settings, config_path=config), clock=clock)
    with TestClient(app) as client:
        yield Api(client, clock)


def put(api: Api, cid: str = "C100", who: str = "erp", **fields: Any) -> Any:
    body = {"name": f"Customer {cid}", "currency": "EUR", **fields}
    return api.put(f"/v1/customers/{cid}", body, who=who)


def test_an_erp_push_creates_a_customer_at_zero_credit(owned: Api) -> None:
    r = put(
        owned,
        credit_limit="5000000.00",
        payment_terms_days=200,
        grade="A",
        review_date="2027-01-01",
    )
    assert r.status_code == 200, r.text
    stored = r.json()
    assert (stored["credit_limit"], stored["payment_terms_days"], stored["grade"]) == (
        "0.00",
        0,
        "A",
    )
    assert stored["review_date"] is None
    held = owned.check("O1", "4000000.00").json()
    assert held["outcome"] == "hold"
    assert "NO_CREDIT" in [x["code"] for x in held["reasons"]]


def test_credit_fields_cannot_change_from_the_erp(owned: Api) -> None:
    assert put(owned).status_code == 200  # credit fields are optional
    r = put(owned, credit_limit="1000.00")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "MASTER_DATA_OWNED_BY_GATEWAY")
    for field, value in [("payment_terms_days", 30), ("grade", "A"), ("review_date", "2027-01-01")]:
        r = put(owned, **{field: value})
        assert r.status_code == 409, (field, r.text)
    r = put(owned, who="admin", credit_limit="1000.00")
    assert r.status_code == 409
    # Equal values, or omitted ones, are fine; so are name and block.
    ok = put(
        owned,
        credit_limit="0",
        payment_terms_days=0,
        grade="D",
        review_date=None,
        name="Renamed",
        blocked=True,
    )
    assert ok.status_code == 200, ok.text
    assert (ok.json()["name"], ok.json()["blocked"]) == ("Renamed", True)


def test_an_application_grants_credit_and_the_erp_may_repeat_it(owned: Api) -> None:
    put(owned, grade="C")
    created = filed(owned, kind="new", credit_limit="20000.00", payment_terms_days=30)
    aid = created["application_id"]
    assert created["current"]["credit_limit"] == "0.00"
    for who in ("finance_manager", "sales_manager", "general_manager"):
        decide(owned, aid, who)
    stored = owned.get("/v1/customers/C100/exposure").json()["exposure"]
    assert stored["credit_limit"] == "20000.00"
    again = put(owned, credit_limit="20000", payment_terms_days=30, grade="B")
    assert again.status_code == 200, again.text
    events = owned.get("/v1/audit?customer_id=C100", who="general_manager").json()["events"]
    changes = [(e["source"], e["principal"]) for e in events if e["kind"] == "master_data_changed"]
    assert changes == [("erp", "erp"), ("application", "general_manager")]


def test_every_credit_field_change_is_audited_under_erp_ownership(api: Api) -> None:
    api.customer("C100")
    api.customer("C100")  # the same again: nothing changed, nothing recorded
    api.customer("C100", blocked=True)
    r = api.put(
        "/v1/customers/C100",
        {
            "name": "x",
            "credit_limit": "1.00",
            "currency": "EUR",
            "grade": "A",
            "payment_terms_days": 10,
        },
        who="admin",
    )
    assert r.status_code == 200, r.text
    events = api.get(
        "/v1/audit?customer_id=C100&from=2026-11-22&to=2026-11-22", who="admin"
    ).json()["events"]
    changes = [e for e in events if e["kind"] == "master_data_changed"]
    assert [(c["source"], c["principal"]) for c in changes] == [
        ("erp", "erp"),
        ("erp", "erp"),
        ("admin", "admin"),
    ]
    assert changes[0]["before"] is None
    assert (changes[1]["before"]["blocked"], changes[1]["after"]["blocked"]) == (False, True)
    assert changes[2]["after"]["credit_limit"] == "1.00"
    # The ERP keeps the credit fields: leaving them out is a 422 here.
    r = api.put("/v1/customers/C100", {"name": "x", "currency": "EUR"})
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert fields == {"body.credit_limit", "body.grade", "body.payment_terms_days"}


def test_the_schema_says_which_fields_a_customer_needs(api: Api, owned: Api) -> None:
    def required(client: Api) -> set[str]:
        schema = client.client.get("/openapi.json").json()
        return set(schema["components"]["schemas"]["CustomerIn"]["required"])

    credit = {"credit_limit", "grade", "payment_terms_days"}
    assert required(api) == {"name", "currency"} | credit
    assert required(owned) == {"name", "currency"}
    # A JSON null is no omission: refused under both owners.
    r = put(owned, credit_limit=None)
    assert r.status_code == 422, r.text


def test_a_pull_under_gateway_ownership_leaves_the_credit_fields(owned: Api) -> None:
    from gateway.balances.service import apply_snapshot

    app_res = owned.client.app.state.resources  # type: ignore[attr-defined]
    master = {
        "name": "Pulled",
        "currency": "EUR",
        "credit_limit": "999.00",
        "grade": "A",
        "payment_terms_days": 90,
    }
    items = {"as_of": owned.clock.now.isoformat(), "items": []}  # type: ignore[union-attr]
    apply_snapshot(app_res.uow, app_res.check_context(), "P1", master, items, owner="gateway")
    got = owned.get("/v1/customers/P1/exposure").json()["exposure"]
    assert got["credit_limit"] == "0.00"
    # Created with the ERP's grade (DESIGN §3b: the body's name, currency and grade), at
    # zero credit; a later pull's grade is the gateway's to keep.
    from gateway.customers import repository as customers_repo

    def grade() -> str:
        with app_res.uow.read() as conn:
            row = customers_repo.get_customer(conn, "P1")
        assert row is not None
        return str(row.grade)

    assert grade() == "A"
    apply_snapshot(
        app_res.uow,
        app_res.check_context(),
        "P1",
        {**master, "grade": "C"},
        {"as_of": owned.clock.now.isoformat(), "items": []},  # type: ignore[union-attr]
        owner="gateway",
    )
    assert grade() == "A"
