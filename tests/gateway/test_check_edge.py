"""The check's edge (gateway.orders.edge, served by gateway.orders.fast_path): every
answer of `POST /v1/orders/check` before the check itself, and in which order the
contract gives them (docs/api.md: an undecodable body before the key, every other
refusal after the key and its role; a key scoped to another ERP last).

The bodies asserted whole are the contract's bytes as FastAPI's route answered them
before the edge was one function.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from gateway.db.engine import PoolLimits
from gateway.errors import Unavailable
from gateway.orders import fast_path
from gateway.orders.answer import CheckOut
from gateway.settings import Settings
from tests.gateway.conftest import Api, FakeClock
from tests.support.keys import KEYS

CHECK = "/v1/orders/check"
ERP = {"Authorization": f"Bearer {KEYS['erp']}", "Content-Type": "application/json"}
NO_KEY = {"Content-Type": "application/json"}
VALID = (
    b'{"erp":"sap","order_id":"O1","revision":1,"customer_id":"C100",'
    b'"amount":"1.00","currency":"EUR"}'
)
POOL = PoolLimits(size=6, timeout=0.2)
NOT_JSON = "the body must be JSON, sent with Content-Type: application/json"
NOT_AN_OBJECT = {
    "field": "body",
    "message": "Input should be a valid dictionary or object to extract fields from",
    "type": "model_attributes_type",
}


class Checks:
    """The app, and how many POSTs to the check its ASGI layer served (all of them)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.served = 0

    def send(self, content: bytes, headers: Any = None, method: str = "POST") -> Any:
        answer = self.client.request(method, CHECK, content=content, headers=headers or ERP)
        assert answer.headers["x-request-id"]  # every answer, a 500 too, names its request
        return answer

    def check(self, **fields: Any) -> Any:
        body = {
            "erp": "sap",
            "order_id": "O1",
            "revision": 1,
            "customer_id": "C100",
            "amount": "100.00",
            "currency": "EUR",
            **fields,
        }
        return self.send(json.dumps(body).encode())


@pytest.fixture
def checks(
    settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Checks]:
    # Small and quick to give up, for the test of every connection busy.
    app = create_app(dataclasses.replace(settings, pool=POOL), clock=clock, run_sync_loops=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        checks = Checks(client)
        admit = fast_path.admit_check

        def counting(*args: Any) -> Any:
            checks.served += 1
            return admit(*args)

        monkeypatch.setattr(fast_path, "admit_check", counting)
        Api(client).customer("C100")
        yield checks


def error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_an_ordinary_check_is_answered_outside_fastapi(checks: Checks) -> None:
    first = checks.check()
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert first.json()["outcome"] == "release"
    assert checks.check(order_id="O2", amount="20000.00").json()["outcome"] == "hold"
    replay = checks.check()
    assert replay.content == first.content  # the stored answer, byte for byte
    assert checks.served == 3


@pytest.mark.parametrize(
    "headers",
    [
        {**ERP, "Content-Type": "application/json; charset=utf-8"},
        {**ERP, "Content-Type": "application/vnd.erp+json"},
        {**ERP, "Content-Type": "APPLICATION/JSON"},
        {"Authorization": ERP["Authorization"]},  # none: read as JSON (ERP clients omit it)
        {**ERP, "Content-Type": ""},  # empty counts as none
    ],
    ids=["charset", "+json suffix", "upper case", "no content type", "empty content type"],
)
def test_json_declared_or_undeclared_is_read_as_json(
    checks: Checks, headers: dict[str, str]
) -> None:
    assert checks.send(VALID, headers).status_code == 200


def auth(header: str) -> dict[str, str]:
    return {**ERP, "Authorization": header}


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        pytest.param(b"{bad", ERP, 422, "MALFORMED_JSON", id="malformed JSON"),
        pytest.param(b"{bad", NO_KEY, 422, "MALFORMED_JSON", id="bad JSON before a missing key"),
        pytest.param(
            b'{"a":1,"a":2}', NO_KEY, 422, "DUPLICATE_KEY", id="a repeated key before the key"
        ),
        pytest.param(b"NaN", NO_KEY, 422, "MALFORMED_JSON", id="NaN before the key"),
        pytest.param(
            b'{"erp":"sap"}', NO_KEY, 401, "UNAUTHENTICATED", id="no key before bad fields"
        ),
        pytest.param(
            b"{}", auth("Bearer not-a-key-0123456789"), 401, "UNAUTHENTICATED", id="unknown key"
        ),
        pytest.param(b"{}", auth("Basic abc"), 401, "UNAUTHENTICATED", id="another scheme"),
        pytest.param(
            b"{bad",
            {**NO_KEY, "Content-Type": "text/plain"},
            401,
            "UNAUTHENTICATED",
            id="a body not declared JSON is not decoded before the key",
        ),
        pytest.param(b"{}", auth(f"Bearer {KEYS['sales']}"), 403, "FORBIDDEN_ROLE", id="not ERP"),
        pytest.param(
            b"{}",
            auth(f"bearer  {KEYS['erp']}"),
            422,
            "VALIDATION_ERROR",
            id="lower-case, padded: the key counts",
        ),
        pytest.param(b"[]", ERP, 422, "VALIDATION_ERROR", id="an array"),
        pytest.param(b"null", ERP, 422, "VALIDATION_ERROR", id="null"),
        pytest.param(b"", ERP, 422, "VALIDATION_ERROR", id="no body"),
        pytest.param(
            VALID[:-1] + b',"colour":"red"}', ERP, 422, "VALIDATION_ERROR", id="an unknown field"
        ),
        pytest.param(
            VALID.replace(b'"1.00"', b'"1e3"'), ERP, 422, "INVALID_AMOUNT", id="an exponent"
        ),
        pytest.param(
            VALID, {**ERP, "Content-Type": "text/plain"}, 422, "MALFORMED_JSON", id="text/plain"
        ),
        pytest.param(
            b"{}",
            auth(f"Bearer {KEYS['erp_baan']}"),
            422,
            "VALIDATION_ERROR",
            id="a scoped key: the body is validated first",
        ),
        pytest.param(
            VALID,
            auth(f"Bearer {KEYS['erp_baan']}"),
            403,
            "ERP_SCOPE",
            id="a scoped key, another ERP's order",
        ),
    ],
)
def test_refusals_come_in_the_contracts_order(
    checks: Checks, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    assert error(checks.send(content, headers)) == (status, code)
    assert checks.served == 1


@pytest.mark.parametrize(
    ("content", "headers", "body"),
    [
        pytest.param(
            b"{bad",
            NO_KEY,
            {
                "code": "MALFORMED_JSON",
                "message": "request body is not valid JSON",
                "details": [
                    {"field": "body.1", "message": "JSON decode error", "type": "json_invalid"}
                ],
            },
            id="malformed",
        ),
        pytest.param(
            b'{"erp":"sap","erp":"baan"}',
            NO_KEY,
            {
                "code": "DUPLICATE_KEY",
                "message": "the key 'erp' appears twice in one object: which one is meant "
                "is unclear",
                "details": [{"field": "body", "message": "duplicate key 'erp'"}],
            },
            id="repeated key",
        ),
        pytest.param(
            b"",
            ERP,
            {
                "code": "VALIDATION_ERROR",
                "message": "request payload is invalid",
                "details": [{"field": "body", "message": "Field required", "type": "missing"}],
            },
            id="no body",
        ),
        pytest.param(
            b"[]",
            ERP,
            {
                "code": "VALIDATION_ERROR",
                "message": "request payload is invalid",
                "details": [NOT_AN_OBJECT],
            },
            id="not an object",
        ),
        pytest.param(
            b"{}",
            {**ERP, "Content-Type": "application/x-www-form-urlencoded"},
            {"code": "MALFORMED_JSON", "message": NOT_JSON, "details": [NOT_AN_OBJECT]},
            id="a form",
        ),
        pytest.param(
            VALID[:-1] + b',"colour":"red"}',
            ERP,
            {
                "code": "VALIDATION_ERROR",
                "message": "request payload is invalid",
                "details": [
                    {
                        "field": "body.colour",
                        "message": "Extra inputs are not permitted",
                        "type": "extra_forbidden",
                    }
                ],
            },
            id="unknown field",
        ),
        pytest.param(
            b"{}",
            auth(f"Bearer {KEYS['sales']}"),
            {"code": "FORBIDDEN_ROLE", "message": "role sales may not do this; allowed: erp"},
            id="role",
        ),
        pytest.param(
            VALID,
            auth(f"Bearer {KEYS['erp_baan']}"),
            {"code": "ERP_SCOPE", "message": "this key acts for ERP 'baan' only, not 'sap'"},
            id="scope",
        ),
    ],
)
def test_refusals_answer_the_contracts_bodies(
    checks: Checks, content: bytes, headers: dict[str, str], body: dict[str, Any]
) -> None:
    assert checks.send(content, headers).json() == {"error": {"details": None, **body}}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param(
            [("authorization", "Bearer not-a-key"), ("authorization", ERP["Authorization"])],
            401,
            id="a wrong key, then the ERP's",
        ),
        pytest.param(
            [("authorization", f"Bearer {KEYS['sales']}"), ("authorization", ERP["Authorization"])],
            403,
            id="a sales key, then the ERP's",
        ),
        pytest.param(
            [
                ("authorization", ERP["Authorization"]),
                ("content-type", "text/plain"),
                ("content-type", "application/json"),
            ],
            422,
            id="text/plain, then JSON",
        ),
        pytest.param(
            [
                ("authorization", ERP["Authorization"]),
                ("content-type", "application/json"),
                ("content-type", "text/plain"),
            ],
            200,
            id="JSON, then text/plain",
        ),
    ],
)
def test_a_header_sent_twice_counts_as_its_first(checks: Checks, headers: Any, status: int) -> None:
    assert checks.send(VALID, headers).status_code == status


def test_a_scoped_key_checks_its_own_erps_orders(checks: Checks) -> None:
    scoped = {"Authorization": f"Bearer {KEYS['erp_baan']}"}
    assert error(checks.send(VALID, scoped)) == (403, "ERP_SCOPE")
    own = checks.send(VALID.replace(b'"sap"', b'"baan"'), scoped)
    assert own.status_code == 200


def test_other_methods_are_fastapis(checks: Checks) -> None:
    answer = checks.send(b"", method="GET")
    assert error(answer) == (405, "METHOD_NOT_ALLOWED")
    assert answer.headers["allow"] == "OPTIONS, POST"
    options = checks.send(b"", method="OPTIONS")
    assert (options.status_code, options.headers["allow"]) == (204, "OPTIONS, POST")
    assert checks.served == 0


def test_a_trailing_slash_redirects_to_the_check(checks: Checks) -> None:
    answer = checks.client.post(CHECK + "/", content=b"{}", headers=ERP)
    assert error(answer) == (422, "VALIDATION_ERROR")


def test_errors_of_the_check_itself_come_from_the_same_handlers(checks: Checks) -> None:
    checks.check(revision=2)
    stale = checks.check(revision=1)
    assert error(stale) == (409, "STALE_REVISION")
    assert stale.json()["error"]["details"] == {"latest_revision": 2}
    assert error(checks.check(order_id="O2", currency="SEK")) == (422, "UNSUPPORTED_CURRENCY")
    jpy = checks.check(order_id="O3", amount="1.50", currency="JPY")
    assert error(jpy) == (422, "INVALID_AMOUNT")


def test_an_unexpected_error_in_the_check_is_a_500_in_the_contract_shape(
    checks: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("gateway.orders.routes.check_order", broken)
    answer = checks.check()
    assert answer.json() == {
        "error": {
            "code": "INTERNAL_ERROR",
            "message": "unexpected error; it has been logged",
            "details": None,
        }
    }
    assert answer.status_code == 500


def test_behind_a_path_prefix_the_check_is_served_alike(checks: Checks) -> None:
    # As uvicorn --root-path /credit passes it on: the scope's path carries the prefix.
    prefixed = TestClient(checks.client.app, root_path="/credit")
    answer = prefixed.post("/credit" + CHECK, content=VALID, headers=ERP)
    assert answer.status_code == 200
    assert checks.served == 1


def test_no_free_database_connection_is_a_503_to_retry(checks: Checks) -> None:
    """The pool's timeout (every connection busy) is the database being unavailable
    for now, not a bug: the ERP is told to retry. The real pool, every connection
    taken (GATEWAY_DB_POOL_SIZE of them)."""
    engine = checks.client.app.state.resources.engine  # type: ignore[attr-defined]
    held = [engine.connect() for _ in range(POOL.size)]
    try:
        answer = checks.check()
    finally:
        for conn in held:
            conn.close()
    assert error(answer) == (503, "DATABASE_UNAVAILABLE")
    assert answer.headers["retry-after"] == "1"
    assert checks.check(order_id="AFTER").status_code == 200


def test_a_check_not_committed_is_a_503_to_retry(
    checks: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_committed(*_: Any) -> Any:
        raise Unavailable("the check was not committed; retry", code="NOT_COMMITTED")

    monkeypatch.setattr("gateway.orders.routes.check_order", not_committed)
    answer = checks.check()
    assert error(answer) == (503, "NOT_COMMITTED")
    assert answer.headers["retry-after"] == "1"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"security": "prepaid", "amount": "50000.00"}, 200),
        ({"security": None}, 200),
        ({"payment_terms_days": 31}, 200),
        ({"payment_terms_days": None}, 200),
        ({"security": "cash"}, 422),
        ({"security": ""}, 422),
        ({"payment_terms_days": -1}, 422),
        ({"payment_terms_days": 3651}, 422),
        ({"payment_terms_days": "30"}, 422),
        ({"payment_terms_days": True}, 422),
        ({"payment_terms_days": 30.5}, 422),
        ({"order_date": "2026-02-30"}, 422),
        ({"order_date": "20261121"}, 422),
        ({"order_date": 20261121}, 422),
        ({"order_date": ""}, 422),
    ],
)
def test_security_terms_and_dates_are_part_of_the_request(
    checks: Checks, fields: dict[str, Any], status: int
) -> None:
    assert checks.check(**fields).status_code == status
    if status == 200:
        assert checks.check(**fields).status_code == 200  # its replay
        other = {"payment_terms_days": 7} if "payment_terms_days" not in fields else {}
        assert checks.check(**fields, **other).status_code in (200, 409)


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(max_size=12),
    st.sampled_from(["sap", "baan", "C100", "EUR", "USD", "JPY", "100.00", "0.01"]),
    st.sampled_from(["2026-11-20", "2026-11-23", "2026-02-30", "20261120", "1970-01-01"]),
)
FIELDS = [
    "erp",
    "order_id",
    "revision",
    "customer_id",
    "amount",
    "currency",
    "override_token",
    "order_date",
    "security",
    "payment_terms_days",
]
_bodies = st.dictionaries(
    st.sampled_from(FIELDS),
    _values,
).map(
    lambda fields: {
        "erp": "sap",
        "order_id": "H1",
        "revision": 1,
        "customer_id": "C100",
        "amount": "10.00",
        "currency": "EUR",
        **fields,
    }
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=_bodies)
def test_any_check_body_is_a_documented_answer_or_a_clean_refusal(
    checks: Checks, body: dict[str, Any]
) -> None:
    answer = checks.send(json.dumps(body).encode())
    if answer.status_code == 200:
        CheckOut.model_validate(answer.json())
    else:
        assert answer.status_code in (409, 422), answer.text
        assert set(answer.json()["error"]) == {"code", "message", "details"}
