"""What an attacker's probe found, each a clean 4xx now (DESIGN §3b "Hardening").

Every body here is sent as raw bytes: a JSON library would not write a repeated key or an
exponent where the test needs one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import START, Api, FakeClock

ERP_JSON = {"Content-Type": "application/json"}


@pytest.fixture
def raw(settings: Settings, clock: FakeClock) -> Iterator[Api]:
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        api = Api(client)
        api.customer("C100", credit_limit="10000.00")
        yield api


def send(api: Api, method: str, path: str, body: str, who: str = "erp") -> Any:
    return api.client.request(
        method, path, content=body.encode(), headers={**ERP_JSON, **api._headers(who)}
    )


def check_body(amount: str, **extra: str) -> str:
    fields = {
        "erp": '"sap"',
        "order_id": '"O1"',
        "revision": "1",
        "customer_id": '"C100"',
        "amount": amount,
        "currency": '"EUR"',
        **extra,
    }
    return "{" + ",".join(f'"{k}":{v}' for k, v in fields.items()) + "}"


def error_code(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code


@pytest.mark.parametrize(
    "amount",
    [
        '"1e-999999999"',
        '"1e3"',
        '"1E3"',
        '"1_000"',
        '"+100"',
        '"-100"',
        '".5"',
        '"100."',
        '" 100"',
        '"100\\n"',
        '"1,000.00"',
        '"\u0661\u0660\u0660"',  # Arabic-Indic digits
        '"Infinity"',
        '"NaN"',
        "1e3",
        "1e-999999999",
        "1.5E2",
        "-5",
        "-5.50",
        "true",
        "[1]",
    ],
)
def test_amounts_in_plain_decimal_notation_only(raw: Api, amount: str) -> None:
    r = send(raw, "POST", "/v1/orders/check", check_body(amount))
    assert r.status_code == 422, r.text
    assert error_code(r) == "INVALID_AMOUNT"
    assert r.json()["error"]["details"][0]["field"] == "body.amount"


@pytest.mark.parametrize("amount", ['"1000"', '"1000.5"', '"1000.50"', "1000", "1000.50"])
def test_plain_amounts_stay_accepted_as_strings_and_numbers(raw: Api, amount: str) -> None:
    r = send(raw, "POST", "/v1/orders/check", check_body(amount))
    assert r.status_code == 200, r.text
    assert r.json()["exposure"]["order_amount"] in {"1000.00", "1000.50"}


@pytest.mark.parametrize(
    ("amount", "currency"),
    [('"1000.001"', '"EUR"'), ('"1000.000"', '"EUR"'), ("1000.001", '"EUR"'), ('"5.0"', '"JPY"')],
)
def test_more_decimals_than_the_currency_has_is_an_invalid_amount(
    raw: Api, amount: str, currency: str
) -> None:
    # A string's decimals count as written (its pattern says at most the currency's).
    r = send(raw, "POST", "/v1/orders/check", check_body(amount, currency=currency))
    assert (r.status_code, error_code(r)) == (422, "INVALID_AMOUNT"), r.text


@pytest.mark.parametrize(
    "body",
    [
        check_body('"99999999.00"').replace('"currency"', '"amount":"1.00","currency"'),
        '{"erp":"sap","erp":"baan","order_id":"O1","revision":1,"customer_id":"C100",'
        '"amount":"1.00","currency":"EUR"}',
    ],
)
def test_a_repeated_key_is_refused_not_read_as_the_last(raw: Api, body: str) -> None:
    r = send(raw, "POST", "/v1/orders/check", body)
    assert (r.status_code, error_code(r)) == (422, "DUPLICATE_KEY"), r.text
    orders = raw.get("/v1/customers/C100/exposure").json()["orders"]
    assert orders == []


def test_a_repeated_key_in_a_nested_object_is_refused(raw: Api) -> None:
    body = (
        '{"as_of":"2026-11-22T09:00:00Z","items":[{"item_id":"I1","kind":"invoice",'
        '"amount":"5.00","amount":"50000.00","currency":"EUR","due_date":"2026-12-01"}]}'
    )
    r = send(raw, "PUT", "/v1/customers/C100/open-items", body)
    assert (r.status_code, error_code(r)) == (422, "DUPLICATE_KEY"), r.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("revision", "1e2"), ("revision", "1.5"), ("revision", '"1"'), ("revision", "true")],
)
def test_revision_is_a_json_integer(raw: Api, field: str, value: str) -> None:
    r = send(raw, "POST", "/v1/orders/check", check_body('"10.00"', **{field: value}))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["field"] == f"body.{field}"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("blocked", '"yes"'),
        ("blocked", "1"),
        ("blocked", '"true"'),
        ("review_date", '"2027-01-01T00:00:00"'),
        ("review_date", "1767225600"),
        ("payment_terms_days", "30.5"),
        ("payment_terms_days", "3e1"),
        ("credit_limit", '"1e5"'),
    ],
)
def test_master_data_fields_mean_exactly_what_they_say(raw: Api, field: str, value: str) -> None:
    fields = {
        "name": '"N"',
        "credit_limit": '"100.00"',
        "currency": '"EUR"',
        "grade": '"B"',
        "payment_terms_days": "30",
        field: value,
    }
    body = "{" + ",".join(f'"{k}":{v}' for k, v in fields.items()) + "}"
    r = send(raw, "PUT", "/v1/customers/C9", body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["field"] == f"body.{field}"
    assert raw.get("/v1/customers/C9/exposure").status_code == 404


def test_unfreeze_plan_amounts_are_plain_too(api: Api) -> None:
    api.customer("C100", credit_limit="100.00")
    held = api.check("O1", "500.00").json()
    body = json.dumps(
        {
            "decision_id": held["decision_id"],
            "condition": "repayment_plan",
            "justification": "pays in two",
            "repayment_plan": [{"due_date": "2026-12-15", "amount": "2_000"}],
        }
    )
    r = send(api, "POST", "/v1/unfreeze-requests", body, who="sales")
    assert (r.status_code, error_code(r)) == (422, "INVALID_AMOUNT"), r.text
    field = r.json()["error"]["details"][0]["field"]
    assert field == "body.repayment_plan.0.amount"


# -- dates and datetimes ------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
def test_as_of_beyond_the_calendar_in_utc_is_a_422(api: Api, as_of: str) -> None:
    api.customer("C100")
    r = api.items("C100", [], as_of=as_of)
    assert (r.status_code, error_code(r)) == (422, "VALIDATION_ERROR"), r.text
    assert r.json()["error"]["details"][0]["field"] == "body.as_of"


def test_a_snapshot_from_year_one_is_stored_and_checks_still_answer(api: Api) -> None:
    api.customer("C100")
    assert api.items("C100", [], as_of="0001-01-01T00:00:00Z").status_code == 200
    body = api.check("O1", "10.00").json()
    assert [r["code"] for r in body["reasons"]] == ["BALANCE_STALE"]


def snapshot(api: Api, as_of: str, query: str = "", who: str = "erp") -> Any:
    """A snapshot pushed without `Api.items`, which would move the clock to its as_of."""
    return api.put(f"/v1/customers/C100/open-items{query}", {"as_of": as_of, "items": []}, who)


def test_a_snapshot_from_the_future_is_refused(api: Api) -> None:
    api.customer("C100")
    r = snapshot(api, "2099-01-01T00:00:00Z")
    assert (r.status_code, error_code(r)) == (422, "AS_OF_IN_FUTURE"), r.text
    # The customer's balance is not locked: a real snapshot still lands.
    assert api.items("C100", [], as_of=START.isoformat()).status_code == 200


def test_clock_skew_within_the_setting_is_tolerated(api: Api) -> None:
    api.customer("C100")
    # The shipped config allows 300 s: an ERP clock 4 minutes ahead is fine, 6 is not.
    ahead = START.replace(minute=4).isoformat()
    assert snapshot(api, ahead).status_code == 200
    too_far = START.replace(minute=6).isoformat()
    assert error_code(snapshot(api, too_far)) == "AS_OF_IN_FUTURE"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_audit_window_at_the_edge_of_the_calendar(api: Api, day: str) -> None:
    r = api.get(f"/v1/audit?from={day}&to={day}", who="finance_manager")
    assert r.status_code == 200, r.text
    assert r.json() == {"events": []}


def test_audit_window_the_wrong_way_round_is_empty(api: Api) -> None:
    api.customer("C100")
    assert snapshot(api, START.isoformat(), "?force=true", who="admin").status_code == 200
    r = api.get("/v1/audit?from=2026-11-23&to=2026-11-21", who="finance_manager")
    assert r.json() == {"events": []}, r.text
    assert api.get("/v1/audit?from=2026-11-22", who="finance_manager").json()["events"]


def test_an_admin_repairs_a_snapshot_wrongly_accepted_in_the_past(
    api: Api, settings: Settings
) -> None:
    api.customer("C100")
    # Before AS_OF_IN_FUTURE existed such a snapshot was stored: every real one since
    # is refused as stale.
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE customers SET snapshot_as_of = :t WHERE customer_id = 'C100'"),
            {"t": datetime(2099, 1, 1, tzinfo=UTC)},
        )
    engine.dispose()
    now = START.isoformat()
    assert error_code(snapshot(api, now)) == "STALE_SNAPSHOT"
    assert snapshot(api, now, "?force=true").status_code == 403  # the ERP may not force
    forced = snapshot(api, now, "?force=true", who="admin")
    assert forced.status_code == 200, forced.text
    # Repaired: the ERP's next snapshot lands again, and the repair is on the record.
    later = START.replace(minute=1).isoformat()
    assert snapshot(api, later).status_code == 200
    events = api.get("/v1/audit?customer_id=C100", who="admin").json()["events"]
    forced_events = [e for e in events if e["kind"] == "snapshot_forced"]
    assert len(forced_events) == 1
    assert forced_events[0]["principal"] == "admin"
    assert forced_events[0]["data"]["previous_as_of"].startswith("2099-01-01T00:00:00")
    assert forced_events[0]["data"]["as_of"] == now


def test_forcing_does_not_let_a_future_snapshot_in(api: Api) -> None:
    api.customer("C100")
    r = snapshot(api, "2099-01-01T00:00:00Z", "?force=true", who="admin")
    assert error_code(r) == "AS_OF_IN_FUTURE"


def test_a_credit_currency_without_an_exchange_rate_is_refused_up_front(api: Api) -> None:
    # SEK has minor units but no rate in the shipped config: such a customer's unfreeze
    # request could not be sized against the approval tiers (it answered a 500).
    r = api.put(
        "/v1/customers/C7",
        {
            "name": "N",
            "credit_limit": "100.00",
            "currency": "SEK",
            "grade": "B",
            "payment_terms_days": 30,
        },
    )
    assert (r.status_code, error_code(r)) == (422, "UNSUPPORTED_CURRENCY"), r.text
    assert api.get("/v1/customers/C7/exposure").status_code == 404


def test_a_revision_written_as_a_number_without_fraction_is_that_integer(raw: Api) -> None:
    # 2.0 is JSON Schema's integer 2 (the OpenAPI schema says integer); 1e2 is refused above.
    r = send(raw, "POST", "/v1/orders/check", check_body('"10.00"', revision="2.0"))
    assert r.status_code == 200, r.text
    assert r.json()["revision"] == 2


@pytest.mark.parametrize(("amount", "currency"), [("5.0", '"JPY"'), ("1000.000", '"EUR"')])
def test_a_json_number_is_its_value(raw: Api, amount: str, currency: str) -> None:
    # JSON Schema's multipleOf judges a number by its value: 5.0 JPY is 5, 1000.000 EUR
    # is 1000.00.
    r = send(raw, "POST", "/v1/orders/check", check_body(amount, currency=currency))
    assert r.status_code == 200, r.text
