"""The check's answer and its declared model (`gateway.orders.answer.CheckOut`): real
answers, of every shape the contract documents, validate against the model and against
the schema `/openapi.json` serves, which describes them (never `{}`)."""

from __future__ import annotations

from typing import Any

import jsonschema

from gateway.erp.answers import BaanCreditCheck, SapCreditCheck
from gateway.orders.answer import CheckOut
from tests.gateway.conftest import Api
from tests.gateway.test_release import held_request, invoice

CHECK = "/v1/orders/check"


def schema_of(api: Api, path: str) -> dict[str, Any]:
    """The 200 answer's schema of POST `path`, with the components it refers to."""
    document = api.get("/openapi.json").json()
    answer = document["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]
    return {**answer["schema"], "components": document["components"]}


def documented(api: Api, path: str, answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    jsonschema.validate(body, schema_of(api, path))
    return body


def test_the_checks_answer_is_declared(api: Api) -> None:
    schema = schema_of(api, CHECK)
    assert schema["$ref"] == "#/components/schemas/CheckOut"
    model = schema["components"]["schemas"]["CheckOut"]
    assert set(model["required"]) >= {"decision_id", "outcome", "reasons", "exposure"}
    assert set(model["properties"]) == set(CheckOut.model_fields)


def test_every_shape_of_the_answer_validates(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    released = documented(api, CHECK, api.check("O1", "100.00"))
    assert CheckOut.model_validate(released).override is None
    # A hold with remedies (reduce_order, prepay), and its replay as stored.
    held = documented(api, CHECK, api.check("O2", "12000.00"))
    assert [r["kind"] for r in held["remedies"]] == ["reduce_order", "prepay"]
    assert documented(api, CHECK, api.check("O2", "12000.00")) == held
    # Overdue items: the remedy names them.
    api.items("C100", [invoice("I1", "500.00", "2026-01-01")])
    overdue = documented(api, CHECK, api.check("O3", "10.00"))
    assert [r["kind"] for r in overdue["remedies"]] == ["pay_overdue"]
    assert overdue["remedies"][0]["items"] == ["I1"]
    CheckOut.model_validate(overdue)


def test_an_override_and_its_release_validity_validate(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = held_request(api, "O1", "12000.00")
    token = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token"]
    released = documented(api, CHECK, api.check("O1", "12000.00", override_token=token))
    assert released["override"]["request_id"] == rid
    later = documented(api, CHECK, api.check("O1", "11000.00", revision=2))
    assert set(later["override"]) == {"request_id", "approved_by", "valid_until", "max_amount"}
    CheckOut.model_validate(later)


def test_group_and_conversion_figures_validate(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    api.customer("C200", credit_limit="10000.00")
    rates = {"base": "EUR", "rates": {"USD": "1.1000"}}
    assert api.put("/v1/fx-rates/2026-11-20", rates, who="finance_manager").status_code == 200
    group = {"name": "G", "credit_limit": "1500.00", "currency": "EUR", "members": ["C100", "C200"]}
    assert api.put("/v1/credit-groups/G1", group).status_code == 200
    dated = api.check("D1", "1100.00", currency="USD", order_date="2026-11-21")
    exposure = documented(api, CHECK, dated)["exposure"]
    assert exposure["fx"] == {"rate": "1.1000", "rate_date": "2026-11-20"}
    assert exposure["group"]["total"] == "1000.00"
    CheckOut.model_validate(dated.json())


def test_the_erp_shaped_answers_are_declared(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    sap = {
        "SalesOrder": "4500",
        "SoldToParty": "C100",
        "TotalNetAmount": "12000.00",
        "TransactionCurrency": "EUR",
    }
    path = "/v1/adapters/sap/sales-orders"
    SapCreditCheck.model_validate(documented(api, path, api.post(path, sap)))
    baan = {"orno": "SO1", "ofbp": "C100", "oamt": "100.00", "ccur": "EUR"}
    path = "/v1/adapters/baan/sales-orders"
    BaanCreditCheck.model_validate(documented(api, path, api.post(path, baan)))
