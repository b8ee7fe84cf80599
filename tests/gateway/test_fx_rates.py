"""Dated exchange rates (DESIGN.md §3b): PUT /v1/fx-rates/{YYYY-MM-DD}, a check's
order_date picks each currency's latest rate on or before it (else the config's),
items convert at their snapshot's day, exposure.fx shows the rate. SQLite and
PostgreSQL; a second process sees a change at once (the cache is keyed by version)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import START, Api, FakeClock


def rates(api: Api, day: str, who: str = "finance_manager", **body: Any) -> Any:
    payload: dict[str, Any] = {"base": "EUR", "rates": {"USD": "1.1000"}}
    payload.update(body)
    return api.put(f"/v1/fx-rates/{day}", payload, who=who)


def usd_check(api: Api, order_id: str, amount: str = "1100.00", **fields: Any) -> Any:
    r = api.check(order_id, amount, currency="USD", **fields)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def eur_customer(api: Api) -> Api:
    api.customer("C100", credit_limit="100000.00")
    return api


def test_put_stores_the_days_rates(api: Api) -> None:
    r = rates(api, "2026-11-20", rates={"USD": "1.1000", "GBP": 0.85})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "date": "2026-11-20",
        "base": "EUR",
        "rates": {"GBP": "0.85", "USD": "1.1000"},
    }
    view = api.get("/v1/fx-rates/2026-11-21", who="finance_manager").json()
    assert view["rates"]["USD"] == {"rate": "1.1000", "rate_date": "2026-11-20"}
    assert view["rates"]["CHF"] == {"rate": "0.9400", "rate_date": None}
    before = api.get("/v1/fx-rates/2026-11-19").json()
    assert before["rates"]["USD"] == {"rate": "1.0850", "rate_date": None}


@pytest.mark.parametrize(
    ("who", "status"),
    [("finance_manager", 200), ("admin", 200), ("erp", 200), ("sales", 403), ("cfo", 403)],
)
def test_who_may_put_rates(api: Api, who: str, status: int) -> None:
    assert rates(api, "2026-11-20", who=who).status_code == status


@pytest.mark.parametrize(
    ("day", "body", "code"),
    [
        ("2026-11-20", {"base": "USD"}, "FX_BASE_MISMATCH"),
        ("2026-11-20", {"rates": {"SEK": "11.20"}}, "UNSUPPORTED_CURRENCY"),
        ("2026-11-20", {"rates": {"XXX": "1.5"}}, "UNSUPPORTED_CURRENCY"),
        ("2026-11-20", {"rates": {"EUR": "1"}}, "UNSUPPORTED_CURRENCY"),
        ("2026-11-20", {"rates": {"USD": "0"}}, "INVALID_AMOUNT"),
        ("2026-11-20", {"rates": {"USD": "-1.1"}}, "INVALID_AMOUNT"),
        ("2026-11-20", {"rates": {"USD": "1e2"}}, "INVALID_AMOUNT"),
        ("2026-11-20", {"rates": {"USD": "1.12345678"}}, "INVALID_AMOUNT"),
        ("2026-11-20", {"rates": {"usd": "1.1"}}, "VALIDATION_ERROR"),
        ("2026-11-20", {"rates": ["USD"]}, "VALIDATION_ERROR"),
        ("2026-02-30", {}, "VALIDATION_ERROR"),
        ("20261120", {}, "VALIDATION_ERROR"),
        ("1700000000", {}, "VALIDATION_ERROR"),
    ],
)
def test_bad_rates_are_422_and_store_nothing(
    api: Api, day: str, body: dict[str, Any], code: str
) -> None:
    r = rates(api, day, **body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code
    assert api.get("/v1/fx-rates/2026-11-21").json()["rates"]["USD"]["rate_date"] is None


def test_the_schema_names_the_base_and_the_rated_currencies(api: Api) -> None:
    schema = api.get("/openapi.json", who=None).json()["components"]["schemas"]["FxRatesIn"]
    assert schema["properties"]["base"]["enum"] == ["EUR"]
    rated = schema["properties"]["rates"]["propertyNames"]["enum"]
    assert rated == ["CHF", "CNY", "GBP", "JPY", "USD"]


def test_every_change_is_audited(api: Api) -> None:
    rates(api, "2026-11-20")
    rates(api, "2026-11-20")  # the same again: no change, no event
    rates(api, "2026-11-20", rates={"USD": "1.2000"}, who="admin")
    events = api.get("/v1/audit", who="finance_manager").json()["events"]
    changed = [e for e in events if e["kind"] == "fx_rates_changed"]
    assert [(e["principal"], e["data"]["before"], e["data"]["after"]) for e in changed] == [
        ("finance_manager", {}, {"USD": "1.1000"}),
        ("admin", {"USD": "1.1000"}, {"USD": "1.2000"}),
    ]
    assert changed[0]["data"]["rate_date"] == "2026-11-20"


def test_a_check_converts_at_the_latest_rate_on_or_before_its_order_date(
    eur_customer: Api,
) -> None:
    api = eur_customer
    rates(api, "2026-11-20", rates={"USD": "1.1000"})
    rates(api, "2026-11-25", rates={"USD": "1.2500"})  # after today: not yet in force
    dated = usd_check(api, "O1", order_date="2026-11-21")
    assert dated["exposure"]["order_amount"] == "1000.00"
    assert dated["exposure"]["fx"] == {"rate": "1.1000", "rate_date": "2026-11-20"}
    on_the_day = usd_check(api, "O2", order_date="2026-11-20")
    assert on_the_day["exposure"]["fx"]["rate_date"] == "2026-11-20"
    before = usd_check(api, "O3", "1085.00", order_date="2026-11-19")
    assert before["exposure"]["order_amount"] == "1000.00"
    assert before["exposure"]["fx"] == {"rate": "1.0850", "rate_date": None}
    # Without order_date: today in the business time zone (2026-11-22 in Berlin).
    today = usd_check(api, "O4")
    assert today["exposure"]["fx"] == {"rate": "1.1000", "rate_date": "2026-11-20"}
    later = usd_check(api, "O5", "1250.00", order_date="2026-11-30")
    assert later["exposure"]["order_amount"] == "1000.00"
    assert later["exposure"]["fx"] == {"rate": "1.2500", "rate_date": "2026-11-25"}


def test_no_conversion_no_fx_and_the_credit_currencys_rate_for_a_base_order(api: Api) -> None:
    api.customer("C100", credit_limit="100000.00")
    rates(api, "2026-11-20")
    assert "fx" not in api.check("O1", "10.00").json()["exposure"]
    api.customer("U1", credit_limit="100000.00", currency="USD")
    answer = api.check("O2", "1000.00", customer_id="U1").json()
    assert answer["exposure"]["order_amount"] == "1100.00"
    assert answer["exposure"]["fx"] == {"rate": "1.1000", "rate_date": "2026-11-20"}


def test_a_new_rate_is_used_by_the_next_check(eur_customer: Api) -> None:
    api = eur_customer
    assert usd_check(api, "O1", "1085.00")["exposure"]["order_amount"] == "1000.00"
    rates(api, "2026-11-21", rates={"USD": "1.2500"})
    assert usd_check(api, "O2", "1250.00")["exposure"]["order_amount"] == "1000.00"
    rates(api, "2026-11-21", rates={})  # the day's rates withdrawn
    assert usd_check(api, "O3", "1085.00")["exposure"]["fx"]["rate_date"] is None


def test_another_process_sees_a_change_at_once(
    eur_customer: Api, settings: Settings, clock: FakeClock
) -> None:
    api = eur_customer
    usd_check(api, "O1", "1085.00")  # this process has cached the table
    with TestClient(create_app(settings, clock=clock)) as client:
        other = Api(client, clock)
        assert rates(other, "2026-11-21", rates={"USD": "1.2500"}).status_code == 200
    answer = usd_check(api, "O2", "1250.00")
    assert answer["exposure"]["order_amount"] == "1000.00"


def test_items_convert_at_their_snapshots_day(eur_customer: Api) -> None:
    api = eur_customer
    rates(api, "2026-11-21", rates={"USD": "1.2500"})
    item = {
        "item_id": "I1",
        "kind": "invoice",
        "amount": "1250.00",
        "currency": "USD",
        "due_date": "2026-12-31",
    }
    api.items("C100", [item], as_of="2026-11-20T12:00:00+00:00")
    assert api.check("O1", "1.00").json()["exposure"]["open_items"] == "1152.07"  # / 1.0850
    api.items("C100", [item], as_of=START.isoformat())
    assert api.check("O2", "1.00").json()["exposure"]["open_items"] == "1000.00"


def test_order_date_is_part_of_the_request(eur_customer: Api) -> None:
    api = eur_customer
    first = usd_check(api, "O1", order_date="2026-11-21")
    assert usd_check(api, "O1", order_date="2026-11-21")["decision_id"] == first["decision_id"]
    r = api.check("O1", "1100.00", currency="USD", order_date="2026-11-20")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
    # A request without order_date hashes as before it existed.
    plain = api.check("O2", "10.00").json()
    assert api.check("O2", "10.00").json()["decision_id"] == plain["decision_id"]


@pytest.mark.parametrize("bad", ["2026-13-01", "20261122", "2026-11-22T00:00:00", 20261122, ""])
def test_a_bad_order_date_is_422(eur_customer: Api, bad: Any) -> None:
    r = eur_customer.check("O1", "10.00", order_date=bad)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["field"] == "body.order_date"
