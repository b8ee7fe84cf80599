"""Credit groups (DESIGN.md §3b): PUT/GET /v1/credit-groups/{id}, a member's check
tests the group's limit too (GROUP_LIMIT_EXCEEDED, exposure.group), re-evaluation
covers every member when one pays. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.gateway.conftest import START, Api, assert_reservations_add_up


def group(api: Api, gid: str = "G1", who: str = "erp", **fields: Any) -> Any:
    body = {"name": f"Group {gid}", "credit_limit": "12000.00", "currency": "EUR"}
    body["members"] = ["C1", "C2"]
    body.update(fields)
    return api.put(f"/v1/credit-groups/{gid}", body, who=who)


@pytest.fixture
def members(api: Api) -> Api:
    for cid in ("C1", "C2", "C3"):
        api.customer(cid, credit_limit="10000.00")
    r = group(api)
    assert r.status_code == 200, r.text
    return api


def test_put_answers_the_group_with_its_figures(api: Api) -> None:
    api.customer("C1", credit_limit="10000.00")
    api.items("C1", [_invoice("I1", "1500.00")])
    r = group(api, members=["C1", "C2"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["group_id"] == "G1"
    assert body["name"] == "Group G1"
    assert body["credit_limit"] == "12000.00"
    assert body["currency"] == "EUR"
    assert body["members"] == ["C1", "C2"]
    assert body["exposure"]["total"] == "1500.00"
    assert body["exposure"]["available"] == "10500.00"
    assert body["exposure"]["over_limit"] == "0.00"
    assert (body["total"], body["available"], body["over_limit"]) == ("1500.00", "10500.00", "0.00")
    assert (body["open_items"], body["open_orders"]) == ("1500.00", "0.00")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("erp", 200),
        ("admin", 200),
        ("finance_manager", 200),
        ("credit_controller", 200),
        ("cfo", 200),
        ("general_manager", 200),
        ("sales", 403),
        ("sales_manager", 403),
    ],
)
def test_get_is_for_erp_finance_general_manager_and_admin(
    members: Api, who: str, status: int
) -> None:
    r = members.get("/v1/credit-groups/G1", who=who)
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["members"] == ["C1", "C2"]


@pytest.mark.parametrize("who", ["finance_manager", "general_manager", "sales", "cfo"])
def test_only_erp_and_admin_put_groups(api: Api, who: str) -> None:
    r = group(api, who=who)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "FORBIDDEN_ROLE"
    assert group(api, who="admin").status_code == 200


def test_unknown_group_is_404(api: Api) -> None:
    r = api.get("/v1/credit-groups/NOPE")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "CREDIT_GROUP_NOT_FOUND"


def test_a_customer_is_in_at_most_one_group(members: Api) -> None:
    r = group(members, "G2", members=["C3", "C2"])
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "CUSTOMER_IN_OTHER_GROUP"
    assert error["details"] == [{"customer_id": "C2", "group_id": "G1"}]
    assert members.get("/v1/credit-groups/G2").status_code == 404  # nothing written
    # Out of G1 first, then into G2.
    assert group(members, "G1", members=["C1"]).status_code == 200
    r = group(members, "G2", members=["C3", "C2"])
    assert r.status_code == 200, r.text
    assert r.json()["members"] == ["C2", "C3"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"members": ["C1", "C1"]}, "DUPLICATE_MEMBER"),
        ({"members": ["bad id"]}, "VALIDATION_ERROR"),
        ({"currency": "XXX"}, "UNSUPPORTED_CURRENCY"),
        ({"currency": "eur"}, "VALIDATION_ERROR"),
        ({"credit_limit": "1.001"}, "INVALID_AMOUNT"),
        ({"credit_limit": "-5"}, "INVALID_AMOUNT"),
        ({"name": ""}, "VALIDATION_ERROR"),
        ({"extra": 1}, "VALIDATION_ERROR"),
    ],
)
def test_bad_groups_are_422(api: Api, fields: dict[str, Any], code: str) -> None:
    r = group(api, **fields)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code
    assert api.get("/v1/credit-groups/G1").status_code == 404


def test_a_members_check_is_held_over_the_group_limit(members: Api) -> None:
    first = members.check("O1", "8000.00", customer_id="C1").json()
    assert first["outcome"] == "release"
    assert first["exposure"]["group"] == {
        "group_id": "G1",
        "credit_limit": "12000.00",
        "total": "8000.00",
        "available": "12000.00",
        "over_limit": "0.00",
    }
    held = members.check("O2", "5000.00", customer_id="C2").json()
    assert held["outcome"] == "hold"
    assert [r["code"] for r in held["reasons"]] == ["GROUP_LIMIT_EXCEEDED"]
    assert "G1" in held["reasons"][0]["message"]
    assert held["exposure"]["group"]["total"] == "13000.00"
    assert held["exposure"]["group"]["available"] == "4000.00"
    assert held["exposure"]["group"]["over_limit"] == "1000.00"
    # Its own figures are within its own limit.
    assert held["exposure"]["over_limit"] == "0.00"
    # Up to the limit exactly is released.
    fits = members.check("O3", "4000.00", customer_id="C2").json()
    assert fits["outcome"] == "release", fits
    assert fits["exposure"]["group"]["total"] == "12000.00"


def test_both_limits_are_reported(members: Api) -> None:
    members.check("O1", "6000.00", customer_id="C1")
    held = members.check("O2", "11000.00", customer_id="C2").json()
    codes = [r["code"] for r in held["reasons"]]
    assert codes == ["CREDIT_LIMIT_EXCEEDED", "GROUP_LIMIT_EXCEEDED"]


def test_non_members_answer_without_group_figures(members: Api) -> None:
    answer = members.check("O1", "9000.00", customer_id="C3").json()
    assert answer["outcome"] == "release"
    assert "group" not in answer["exposure"]


def test_open_items_and_a_new_revision_count_as_for_the_customer(members: Api) -> None:
    members.items("C1", [_invoice("I1", "3000.00")])
    members.check("O1", "5000.00", customer_id="C2")
    # Revision 2 of O1 replaces its own reservation: 3000 + 9000 = 12000 fits.
    again = members.check("O1", "9000.00", customer_id="C2", revision=2).json()
    assert again["outcome"] == "release", again
    assert again["exposure"]["group"]["total"] == "12000.00"
    held = members.check("O2", "0.01", customer_id="C1").json()
    assert [r["code"] for r in held["reasons"]] == ["GROUP_LIMIT_EXCEEDED"]


def test_members_in_other_currencies_convert_into_the_groups(api: Api) -> None:
    api.customer("U1", credit_limit="10000.00", currency="USD")
    api.customer("E1", credit_limit="10000.00")
    assert group(api, members=["U1", "E1"], currency="USD", credit_limit="5000.00").status_code
    api.check("O1", "1085.00", customer_id="U1", currency="USD")  # 1085 USD
    # 1000 EUR = 1085 USD (config rate 1.0850): 2170 USD of 5000.
    answer = api.check("O2", "1000.00", customer_id="E1").json()
    assert answer["exposure"]["group"]["total"] == "2170.00"
    assert answer["exposure"]["group"]["credit_limit"] == "5000.00"
    held = api.check("O3", "2700.00", customer_id="E1").json()  # 2929.50 USD more
    assert held["exposure"]["group"]["total"] == "5099.50"
    assert [r["code"] for r in held["reasons"]] == ["GROUP_LIMIT_EXCEEDED"]
    view = api.get("/v1/credit-groups/G1").json()
    assert view["exposure"]["total"] == "2170.00"
    assert {m["customer_id"]: m["total_in_group_currency"] for m in view["member_exposure"]} == {
        "E1": "1085.00",
        "U1": "1085.00",
    }


def test_leaving_the_group_ends_the_group_test(members: Api) -> None:
    members.check("O1", "8000.00", customer_id="C1")
    assert members.check("O2", "5000.00", customer_id="C2").json()["outcome"] == "hold"
    assert group(members, members=["C1"]).status_code == 200
    answer = members.check("O2", "5000.00", customer_id="C2", revision=2).json()
    assert answer["outcome"] == "release"
    assert "group" not in answer["exposure"]


def test_a_members_payment_releases_another_members_held_order(members: Api) -> None:
    members.items("C1", [_invoice("I1", "9000.00")])
    held = members.check("O2", "5000.00", customer_id="C2").json()
    assert [r["code"] for r in held["reasons"]] == ["GROUP_LIMIT_EXCEEDED"]
    paid = members.items("C1", [], as_of=(START.replace(hour=10)).isoformat())
    assert paid.status_code == 200, paid.text
    assert paid.json()["released"] == ["sap/O2"]
    resent = members.check("O2", "5000.00", customer_id="C2").json()
    assert resent["outcome"] == "release"
    assert resent["exposure"]["group"]["total"] == "5000.00"


def test_reevaluation_releases_members_orders_only_within_the_group_limit(members: Api) -> None:
    members.items("C1", [_invoice("I1", "11000.00")], as_of=START.isoformat())
    for oid, cid in (("A", "C2"), ("B", "C1")):
        answer = members.check(oid, "5000.00", customer_id=cid).json()
        assert answer["outcome"] == "hold"
    paid = members.items("C1", [], as_of=START.replace(hour=10).isoformat()).json()
    # Either fits alone (5000 + 5000 = 10000 <= 12000 fits too); a third would not.
    assert sorted(paid["released"]) == ["sap/A", "sap/B"]
    members.items("C1", [_invoice("I2", "11000.00")], as_of=START.replace(hour=11).isoformat())
    more = members.check("C", "2500.00", customer_id="C2").json()
    assert more["outcome"] == "hold"
    view = members.get("/v1/credit-groups/G1").json()
    assert Decimal(view["exposure"]["open_orders"]) == Decimal("10000.00")


def test_group_changes_are_audited(members: Api) -> None:
    group(members, members=["C1"], credit_limit="5000.00")
    events = members.get("/v1/audit", who="finance_manager").json()["events"]
    changed = [e for e in events if e["kind"] == "credit_group_changed"]
    assert [e["data"]["after"]["members"] for e in changed] == [["C1", "C2"], ["C1"]]
    assert changed[1]["data"]["before"]["credit_limit"] == "12000.00"


def _invoice(item_id: str, amount: str) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "kind": "invoice",
        "amount": amount,
        "currency": "EUR",
        "due_date": "2026-12-31",
    }


@pytest.mark.postgres
def test_a_members_check_waits_for_another_members_on_the_group(
    postgres_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first check pauses after reading the group's figures, its locks held; the
    second (another member, another customer row) must wait for it on the group's row,
    and then see its reservation. Unserialized, both would release: 16000 of 12000."""
    from gateway.app import create_app
    from gateway.auth import parse_api_keys
    from gateway.groups import repository
    from gateway.settings import Settings
    from tests.gateway.conftest import ROOT, FakeClock
    from tests.support.keys import API_KEYS, SECRET

    settings = Settings(
        database_url=postgres_url,
        config_path=ROOT / "config" / "gateway.toml",
        api_keys=parse_api_keys(API_KEYS),
        token_secret=SECRET,
    )
    locked, go = threading.Event(), threading.Event()
    real = repository.member_figures

    def paused(*args: Any) -> Any:
        rows = real(*args)
        if not locked.is_set():
            locked.set()
            assert go.wait(10)
        return rows

    with TestClient(create_app(settings, clock=FakeClock())) as client:
        api = Api(client)
        for cid in ("C1", "C2"):
            api.customer(cid, credit_limit="10000.00")
        assert group(api).status_code == 200
        monkeypatch.setattr(repository, "member_figures", paused)
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(api.check, "O1", "8000.00", customer_id="C1")
            assert locked.wait(10)
            second = pool.submit(api.check, "O2", "8000.00", customer_id="C2")
            time.sleep(0.5)  # time enough for an unserialized second check to finish
            assert not second.done()
            go.set()
            answers = [first.result().json(), second.result().json()]
        assert [a["outcome"] for a in answers] == ["release", "hold"]
        assert [r["code"] for r in answers[1]["reasons"]] == ["GROUP_LIMIT_EXCEEDED"]
        assert answers[1]["exposure"]["group"]["total"] == "16000.00"
        assert_reservations_add_up(client.app.state.resources.engine)  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_a_customer_joining_a_group_mid_check_is_checked_in_it(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check read "no group", then the customer joined one before the check locked
    its row: the check must not decide outside the group it is now in (it runs again)."""
    from gateway.app import create_app
    from gateway.auth import parse_api_keys
    from gateway.orders import group_fx
    from gateway.settings import Settings
    from tests.gateway.conftest import ROOT, FakeClock
    from tests.support.keys import API_KEYS, SECRET

    settings = Settings(
        database_url=postgres_url,
        config_path=ROOT / "config" / "gateway.toml",
        api_keys=parse_api_keys(API_KEYS),
        token_secret=SECRET,
    )
    real = group_fx.scope_of
    joined: list[int] = []

    with TestClient(create_app(settings, clock=FakeClock())) as client:
        api = Api(client)
        for cid in ("C1", "C2"):
            api.customer(cid, credit_limit="10000.00")
        api.check("O1", "8000.00", customer_id="C1")

        def scope_then_join(*args: Any) -> Any:
            scope = real(*args)
            if not joined:  # another request adds the customer, and commits, right now
                joined.append(group(api, members=["C1", "C2"]).status_code)
            return scope

        monkeypatch.setattr(group_fx, "scope_of", scope_then_join)
        answer = api.check("O2", "5000.00", customer_id="C2").json()
        assert joined == [200]
        assert [r["code"] for r in answer["reasons"]] == ["GROUP_LIMIT_EXCEEDED"]
        assert answer["exposure"]["group"]["total"] == "13000.00"
