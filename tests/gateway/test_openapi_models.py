"""Every JSON answer declares its model (issue 21), and real answers match it.

The OpenAPI document is walked: a 2xx JSON answer with no schema, `{}` or a free-form
object (only `additionalProperties`) fails, anywhere in the schema too, but for the short
allow-lists below. Then one walk through every feature answers each operation once, and
each answer is validated against the schema the document serves for it (the models, as
`gateway.openapi` publishes them), so a model that says other than the route answers
fails here, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import SHIPPED_CONFIG, Api, FakeClock, assert_reservations_add_up
from tests.gateway.test_credit_applications import decide, filed
from tests.gateway.test_release import CHAIN, approve_all, file, invoice, release
from tests.gateway.test_sync import FakeErp

# Operations whose JSON answer has no model, each for its reason:
UNDECLARED = {
    # The check's answer is served by gateway.orders.fast_path, its route being reworked
    # in the same issue ("one implementation of the check"); its model comes with that.
    ("post", "/v1/orders/check"),
    # The ERP-shaped adapter routes answer in each ERP's own fields (gateway.erp), and
    # move to the check's service in the same rework.
    ("post", "/v1/adapters/sap/sales-orders"),
    ("post", "/v1/adapters/baan/sales-orders"),
}
# Answers that are not JSON: downloads and the Prometheus exposition, by media type.
OTHER_MEDIA = {
    ("get", "/metrics"): {"text/plain"},
    ("get", "/v1/unfreeze-requests"): {"text/csv"},  # Accept: text/csv, the archive
    ("get", "/v1/reports/credit-committee"): {"text/csv"},  # Accept: text/csv
}
# Objects inside an answer whose keys are the data's own: a stored event's payload.
FREE_FORM_INSIDE = {"AuditEventOut.data"}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = schema.get("$ref")
    if ref is None:
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, doc["components"]["schemas"][name]


def _free_form(schema: dict[str, Any]) -> bool:
    """No shape at all: `{}`, or an object that is only `additionalProperties` of
    anything (a map of typed values, `dict[str, int]`, has a shape)."""
    if not schema:
        return True
    shaped = {"properties", "$ref", "anyOf", "oneOf", "allOf", "items", "enum", "const"}
    if shaped & schema.keys():
        return False
    if schema.get("type") not in (None, "object"):
        return False
    extra = schema.get("additionalProperties", True)
    return extra is True or extra == {}


def _loose_places(doc: dict[str, Any], schema: dict[str, Any], where: str) -> Iterator[str]:
    """Every place in an answer's schema without a shape (`Model.field`), refs followed."""
    seen: set[str] = set()

    def walk(node: Any, where: str) -> Iterator[str]:
        if not isinstance(node, dict):
            return
        name, node = _resolve(doc, node)
        if name is not None:
            if name in seen:
                return
            seen.add(name)
            where = name
        if _free_form(node):
            yield where
            return
        for field, prop in node.get("properties", {}).items():
            yield from walk(prop, f"{where}.{field}")
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key, []):
                yield from walk(branch, where)
        if isinstance(node.get("items"), dict):
            yield from walk(node["items"], where)
        if isinstance(node.get("additionalProperties"), dict):
            yield from walk(node["additionalProperties"], where)

    yield from walk(schema, where)


def json_operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, status, the 2xx answer's content) of every operation."""
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation.get("responses", {}).items():
                if status.startswith("2"):
                    yield method, path, status, answer.get("content", {})


def test_every_json_answer_declares_its_model(api: Api) -> None:
    doc = api.get("/openapi.json", who=None).json()
    loose: list[str] = []
    for method, path, status, content in json_operations(doc):
        op = (method, path)
        media = set(content) - {"application/json"}
        assert media <= OTHER_MEDIA.get(op, set()), f"{method} {path} {status}: {media}"
        if op in UNDECLARED or "application/json" not in content:
            assert op in UNDECLARED or op in OTHER_MEDIA, f"{method} {path}: no JSON answer"
            continue
        schema = content["application/json"].get("schema", {})
        loose += [
            f"{method.upper()} {path} {status}: {place}"
            for place in _loose_places(doc, schema, "answer")
            if place not in FREE_FORM_INSIDE
        ]
    assert loose == []
    # The allow-lists name operations that exist (a renamed route is not let off).
    operations = {(m, p) for m, p, _, _ in json_operations(doc)}
    assert UNDECLARED | OTHER_MEDIA.keys() <= operations


def test_the_walk_finds_free_form_answers() -> None:
    doc: dict[str, Any] = {
        "components": {"schemas": {"M": {"properties": {"x": {}, "y": {"type": "string"}}}}}
    }
    assert list(_loose_places(doc, {}, "answer")) == ["answer"]
    assert list(_loose_places(doc, {"type": "object", "additionalProperties": True}, "a")) == ["a"]
    assert list(_loose_places(doc, {"$ref": "#/components/schemas/M"}, "a")) == ["M.x"]
    typed_map = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert list(_loose_places(doc, typed_map, "a")) == []


class Answers:
    """Validates real answers against the schema the OpenAPI document serves for them."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.doc: dict[str, Any] = api.get("/openapi.json", who=None).json()
        self.seen: set[tuple[str, str]] = set()

    def valid(self, r: Any, operation: str) -> Any:
        method, path = operation.split(" ")
        assert 200 <= r.status_code < 300, (operation, r.status_code, r.text)
        answer = self.doc["paths"][path][method.lower()]["responses"][str(r.status_code)]
        schema = answer["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.doc["components"]})
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(r.json())]
        assert errors == [], (operation, errors)
        self.seen.add((method.lower(), path))
        return r.json()


@pytest.fixture
def erp() -> FakeErp:
    fake = FakeErp()
    fake.customers = {"S1": {**_customer("Sync GmbH")}}
    fake.items = {"S1": [invoice("I1", "900.00", "2026-12-31")]}
    return fake


def _customer(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "credit_limit": "10000.00",
        "currency": "EUR",
        "grade": "B",
        "payment_terms_days": 30,
        "blocked": False,
        "review_date": None,
    }


@pytest.fixture
def answers(settings: Settings, clock: FakeClock, erp: FakeErp) -> Iterator[Answers]:
    app = create_app(settings, clock=clock, sources={"sap": erp}, run_sync_loops=False)
    with TestClient(app) as client:
        yield Answers(Api(client, clock))
        assert_reservations_add_up(app.state.resources.engine)


def test_real_answers_match_their_declared_models(answers: Answers) -> None:
    a, ok = answers.api, answers.valid
    ok(a.get("/healthz", who=None), "GET /healthz")
    ok(a.get("/readyz", who=None), "GET /readyz")
    # Master data, a snapshot with an overdue invoice, sales, aging, exposure, FX, groups.
    ok(a.put("/v1/customers/C100", _customer("Customer C100")), "PUT /v1/customers/{customer_id}")
    a.customer("C200")
    items = {"as_of": "2026-11-22T09:00:00+00:00", "items": [invoice("I1", "900.00", "2026-10-01")]}
    ok(a.put("/v1/customers/C100/open-items", items), "PUT /v1/customers/{customer_id}/open-items")
    sales = {"periods": [{"month": "2026-10", "amount": "5000.00"}]}
    ok(a.put("/v1/customers/C100/sales", sales), "PUT /v1/customers/{customer_id}/sales")
    ok(a.get("/v1/customers/C100/aging"), "GET /v1/customers/{customer_id}/aging")
    rates = {"base": "EUR", "rates": {"USD": "1.1000"}}
    ok(
        a.put("/v1/fx-rates/2026-11-20", rates, who="finance_manager"),
        "PUT /v1/fx-rates/{rate_date}",
    )
    ok(a.get("/v1/fx-rates/2026-11-22"), "GET /v1/fx-rates/{rate_date}")
    group = {"name": "Group G1", "credit_limit": "5000.00", "currency": "EUR", "members": ["C200"]}
    ok(a.put("/v1/credit-groups/G1", group), "PUT /v1/credit-groups/{group_id}")
    ok(a.get("/v1/credit-groups/G1"), "GET /v1/credit-groups/{group_id}")
    a.check("G1", "100.00", customer_id="C200")  # a member's exposure has its group
    # Unfreeze: filed, approved, shown (with the token to its requester), released.
    held = a.check("O1", "12000.00").json()
    rid = file(a, held["decision_id"])["request_id"]  # 201 answers validated below too
    approve_all(a, rid)
    ok(a.get(f"/v1/unfreeze-requests/{rid}", who="sales"), "GET /v1/unfreeze-requests/{request_id}")
    ok(a.get("/v1/unfreeze-requests", who="sales"), "GET /v1/unfreeze-requests")
    ok(release(a, rid), "POST /v1/unfreeze-requests/{request_id}/release")
    ok(a.get("/v1/customers/C100/exposure"), "GET /v1/customers/{customer_id}/exposure")
    # One rejected, one approved whose token is revoked, and an order cancelled.
    body = {"decision_id": a.check("O2", "12000.00").json()["decision_id"], "condition": "other"}
    created = a.post("/v1/unfreeze-requests", {**body, "justification": "please"}, who="sales")
    rejected = ok(created, "POST /v1/unfreeze-requests")["request_id"]
    no = {"comment": "overdue too long"}
    r = a.post(f"/v1/unfreeze-requests/{rejected}/reject", no, who="finance_manager")
    assert ok(r, "POST /v1/unfreeze-requests/{request_id}/reject")["rejection"] is not None
    revoked = file(a, a.check("O3", "12000.00").json()["decision_id"])["request_id"]
    for role in CHAIN:
        r = a.post(f"/v1/unfreeze-requests/{revoked}/approve", {"comment": "ok"}, who=role)
        ok(r, "POST /v1/unfreeze-requests/{request_id}/approve")
    token_id = a.get(f"/v1/unfreeze-requests/{revoked}", who="sales").json()["token_id"]
    r = a.post(f"/v1/override-tokens/{token_id}/revoke", who="finance_manager")
    ok(r, "POST /v1/override-tokens/{token_id}/revoke")
    ok(a.post("/v1/orders/sap/O2/cancel"), "POST /v1/orders/{erp}/{order_id}/cancel")
    # Credit applications: one applied, one rejected; read one, list, reviews due.
    applied = ok(
        a.post("/v1/credit-applications", _application("C100", forecast="20000.00"), who="sales"),
        "POST /v1/credit-applications",
    )
    for role in applied["required_roles"]:
        r = decide(a, applied["application_id"], role)
        ok(r, "POST /v1/credit-applications/{application_id}/approve")
    refused = filed(a, customer_id="C200")["application_id"]
    r = decide(a, refused, "finance_manager", "reject", "no")
    ok(r, "POST /v1/credit-applications/{application_id}/reject")
    r = a.get(f"/v1/credit-applications/{refused}", who="sales")
    ok(r, "GET /v1/credit-applications/{application_id}")
    ok(a.get("/v1/credit-applications", who="sales"), "GET /v1/credit-applications")
    r = a.get("/v1/reviews/due?within_days=3650", who="finance_manager")
    assert ok(r, "GET /v1/reviews/due")["customers"]
    # Reports: the portfolio, the committee's month and decisions, a simulation.
    ok(a.get("/v1/portfolio", who="finance_manager"), "GET /v1/portfolio")
    decision = {"customer_id": "C100", "month": "2026-11", "kind": "term_change", "note": "net 30"}
    r = a.post("/v1/reports/credit-committee/decisions", decision, who="finance_manager")
    ok(r, "POST /v1/reports/credit-committee/decisions")
    month = "?month=2026-11"
    r = a.get(f"/v1/reports/credit-committee{month}", who="finance_manager")
    assert ok(r, "GET /v1/reports/credit-committee")["customers"]
    r = a.get(f"/v1/reports/credit-committee/decisions{month}", who="finance_manager")
    ok(r, "GET /v1/reports/credit-committee/decisions")
    candidate = {"config_toml": SHIPPED_CONFIG.read_text()}
    assert ok(a.post("/v1/simulations", candidate, who="admin"), "POST /v1/simulations")["replayed"]
    # Sync on demand and its status; the audit trail of all of it.
    ok(a.post("/v1/sync/sap", who="admin"), "POST /v1/sync/{erp}")
    ok(a.get("/v1/sync", who="admin"), "GET /v1/sync")
    events = ok(a.get("/v1/audit", who="finance_manager"), "GET /v1/audit")["events"]
    assert {"master_data_changed", "fx_rates_changed"} <= {e["kind"] for e in events}
    ok(a.get("/readyz", who=None), "GET /readyz")  # now with a sync and balances
    # Every operation that declares a JSON model was answered above.
    declared = {
        (m, p)
        for m, p, _, content in json_operations(answers.doc)
        if "application/json" in content and (m, p) not in UNDECLARED
    }
    assert declared - answers.seen == set()


def _application(customer_id: str, forecast: str) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "kind": "update",
        "credit_limit": "20000.00",
        "currency": "EUR",
        "payment_terms_days": 30,
        "grade": "B",
        "forecast_monthly_sales": forecast,
        "justification": "annual review, good payer",
    }
