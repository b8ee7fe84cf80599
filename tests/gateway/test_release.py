"""The credit controller's release, verified conditions, rejecting with a reason and
seed 004's chain by default (DESIGN.md §3b "Releasing, rejecting, validity")."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.gateway.conftest import KEYS, Api, FakeClock, shipped_config

CHAIN = ["sales_manager", "finance_manager", "general_manager"]


def invoice(item_id: str, amount: str, due: str) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "kind": "invoice",
        "amount": amount,
        "currency": "EUR",
        "due_date": due,
    }


def file(api: Api, decision_id: str, condition: str = "other", **kw: Any) -> dict[str, Any]:
    body = {
        "decision_id": decision_id,
        "condition": condition,
        "justification": "strategic customer, CFO informed",
        **kw,
    }
    r = api.post("/v1/unfreeze-requests", body, who="sales")
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def approve_all(api: Api, rid: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for role in CHAIN:
        r = api.post(f"/v1/unfreeze-requests/{rid}/approve", {"comment": "ok"}, who=role)
        assert r.status_code == 200, r.text
        body = r.json()
    assert body["status"] == "approved"
    return body


def release(api: Api, rid: str, who: str = "credit_controller", **body: Any) -> Any:
    return api.post(f"/v1/unfreeze-requests/{rid}/release", body or None, who=who)


def held_request(api: Api, order_id: str = "O1", amount: str = "12000.00", **kw: Any) -> str:
    decision = api.check(order_id, amount).json()
    assert decision["outcome"] == "hold", decision
    rid: str = file(api, decision["decision_id"], **kw)["request_id"]
    approve_all(api, rid)
    return rid


@pytest.fixture
def limit_hold(api: Api) -> tuple[Api, str]:
    api.customer("C100", credit_limit="10000.00")
    return api, held_request(api)


def test_the_shipped_chain_is_seed_004s_from_amount_zero(api: Api) -> None:
    api.customer("C100", credit_limit="10.00", grade="A")
    decision = api.check("O1", "11.00").json()
    created = file(api, decision["decision_id"])
    assert created["required_roles"] == CHAIN
    rid = created["request_id"]
    for role in CHAIN[:-1]:
        r = api.post(f"/v1/unfreeze-requests/{rid}/approve", {"comment": "ok"}, who=role)
        assert r.json()["status"] == "pending"


def test_the_controller_releases_the_order_in_one_step(
    limit_hold: tuple[Api, str], clock: FakeClock
) -> None:
    api, rid = limit_hold
    before = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    assert before["token_status"] == "issued"
    r = release(api, rid)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["outcome"] == "release"
    assert (answer["erp"], answer["order_id"], answer["revision"]) == ("sap", "O1", 1)
    assert answer["customer_id"] == "C100"
    assert answer["override"] == {"request_id": rid, "approved_by": CHAIN}
    assert answer["remedies"] == []
    assert [x["code"] for x in answer["reasons"]] == ["CREDIT_LIMIT_EXCEEDED"]
    assert answer["exposure"]["order_amount"] == "12000.00"
    assert set(answer) >= {"decision_id", "warnings", "exposure", "decided_at"}
    # Reservation made, token used up, request released with the figures at release.
    exposure = api.get("/v1/customers/C100/exposure").json()
    assert [o["order_id"] for o in exposure["orders"]] == ["O1"]
    assert exposure["exposure"]["open_orders"] == "12000.00"
    after = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    assert after["status"] == "released"
    assert after["token_status"] == "redeemed"
    assert after["released_by"] == "credit_controller"
    assert after["release_decision_id"] == answer["decision_id"]
    assert after["release_figures"]["over_limit"] == "2000.00"
    assert after["figures"]["over_limit"] == "2000.00"
    events = api.get("/v1/audit?order_id=O1", who="finance_manager").json()["events"]
    assert events[-1]["kind"] == "request_released"
    assert events[-1]["principal"] == "credit_controller"
    # The ERP re-sending that revision hears this release (the same decision).
    again = api.check("O1", "12000.00").json()
    assert again["decision_id"] == answer["decision_id"]
    assert again["outcome"] == "release"
    # The token is spent: the requester's ERP cannot use it again.
    spent = api.check("O1", "12000.00", revision=2, override_token=after["token"]).json()
    assert spent["decision_id"] != answer["decision_id"]
    # A second release is refused.
    twice = release(api, rid)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "ORDER_ALREADY_RELEASED")


@pytest.mark.parametrize("who", ["sales", "finance_manager", "general_manager", "erp", "cfo"])
def test_only_the_credit_controller_releases(limit_hold: tuple[Api, str], who: str) -> None:
    api, rid = limit_hold
    assert release(api, rid, who=who).status_code == 403


def test_an_order_released_by_a_payment_is_not_released_again(
    limit_hold: tuple[Api, str],
) -> None:
    api, rid = limit_hold
    # Released meanwhile by the gateway's re-evaluation (a raised limit here, as a
    # payment's snapshot would).
    assert api.customer("C100", credit_limit="20000.00")["released"] == ["sap/O1"]
    r = release(api, rid)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ORDER_ALREADY_RELEASED")
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["status"] == "approved"


def test_a_later_revision_above_the_approved_amount_is_refused(
    limit_hold: tuple[Api, str],
) -> None:
    api, rid = limit_hold
    assert api.check("O1", "12500.00", revision=2).json()["outcome"] == "hold"
    r = release(api, rid)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "AMOUNT_ABOVE_APPROVED")
    # A smaller revision is released at its own amount.
    assert api.check("O1", "11000.00", revision=3).json()["outcome"] == "hold"
    ok = release(api, rid).json()
    assert (ok["revision"], ok["exposure"]["order_amount"]) == (3, "11000.00")


def test_release_of_a_pending_or_unknown_request(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    decision = api.check("O1", "12000.00").json()
    rid = file(api, decision["decision_id"])["request_id"]
    r = release(api, rid)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "REQUEST_NOT_APPROVED")
    missing = release(api, "0000aaaa-0000-0000-0000-000000000000")
    assert missing.status_code == 404


@pytest.mark.parametrize("config_text", [shipped_config(approval={"release_by": '"controller"'})])
def test_release_by_controller_shows_no_token(limit_hold: tuple[Api, str]) -> None:
    api, rid = limit_hold
    mine = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    assert mine["status"] == "approved"
    assert "token" not in mine and "token_expires_at" not in mine
    assert release(api, rid).json()["outcome"] == "release"


def test_the_default_shows_the_requester_the_token(limit_hold: tuple[Api, str]) -> None:
    api, rid = limit_hold
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token"]


# -- rejecting -------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   ", "\n\t "])
def test_a_rejection_needs_a_comment(api: Api, comment: str) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = file(api, api.check("O1", "12000.00").json()["decision_id"])["request_id"]
    r = api.post(f"/v1/unfreeze-requests/{rid}/reject", {"comment": comment}, who="sales_manager")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "COMMENT_REQUIRED")
    empty = api.post(f"/v1/unfreeze-requests/{rid}/reject", {}, who="sales_manager")
    assert empty.json()["error"]["code"] == "COMMENT_REQUIRED"
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["status"] == "pending"


@pytest.mark.parametrize("role", CHAIN)
def test_any_approver_rejects_and_the_requester_sees_who_and_why(api: Api, role: str) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = file(api, api.check("O1", "12000.00").json()["decision_id"])["request_id"]
    r = api.post(f"/v1/unfreeze-requests/{rid}/reject", {"comment": "no plan"}, who=role)
    assert r.status_code == 200, r.text
    mine = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    assert mine["status"] == "rejected"
    assert mine["rejection"]["principal"] == role
    assert mine["rejection"]["role"] == role
    assert mine["rejection"]["comment"] == "no plan"


@pytest.mark.parametrize(
    "config_text", [shipped_config(approval={"other_min_justification": "10"})]
)
def test_condition_other_needs_a_justification_of_substance(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    decision = api.check("O1", "12000.00").json()
    body = {"decision_id": decision["decision_id"], "condition": "other", "justification": " ok "}
    r = api.post("/v1/unfreeze-requests", body, who="sales")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "JUSTIFICATION_TOO_SHORT")


# -- paid_overdue, verified ------------------------------------------------------------


@pytest.fixture
def overdue_hold(api: Api) -> tuple[Api, str]:
    """Grade C (no tolerance days, no de-minimis): 5,000 overdue holds an order of 1,000."""
    api.customer("C100", credit_limit="100000.00", grade="C")
    api.items("C100", [invoice("I1", "5000.00", "2026-10-01")])
    return api, held_request(api, "O1", "1000.00", condition="paid_overdue")


def test_paid_overdue_is_not_met_while_the_overdue_is_open(
    overdue_hold: tuple[Api, str],
) -> None:
    api, rid = overdue_hold
    r = release(api, rid)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "CONDITION_NOT_MET")
    token = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token"]
    held = api.check("O1", "1000.00", override_token=token).json()
    assert held["outcome"] == "hold"
    assert held["reasons"][-1]["code"] == "OVERRIDE_REJECTED"
    assert "condition_not_met" in held["reasons"][-1]["message"]
    after = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    assert (after["status"], after["token_status"]) == ("approved", "issued")


def test_paid_overdue_is_met_within_the_tolerance(overdue_hold: tuple[Api, str]) -> None:
    """Default tolerance: the lower of 1% of 5,000 (50) and CNY 1,000 (127.39 EUR)."""
    api, rid = overdue_hold
    api.items("C100", [invoice("I1", "50.01", "2026-10-01")], "2026-11-22T10:00:00+00:00")
    assert release(api, rid).json()["error"]["code"] == "CONDITION_NOT_MET"
    api.items("C100", [invoice("I1", "50.00", "2026-10-01")], "2026-11-22T11:00:00+00:00")
    token = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token"]
    body = api.check("O1", "1000.00", override_token=token).json()
    assert body["outcome"] == "release"
    assert body["override"]["request_id"] == rid


@pytest.mark.parametrize(
    "config_text", [shipped_config(approval={"paid_overdue_tolerance": '"200.00"'})]
)
def test_a_configured_tolerance(overdue_hold: tuple[Api, str]) -> None:
    api, rid = overdue_hold
    api.items("C100", [invoice("I1", "200.00", "2026-10-01")], "2026-11-22T10:00:00+00:00")
    assert release(api, rid).json()["outcome"] == "release"


def test_a_payment_in_transit_must_be_confirmed(
    overdue_hold: tuple[Api, str], clock: FakeClock
) -> None:
    api, rid = overdue_hold
    r = release(api, rid, bank_reference="HSBC-2026-1122-0042")
    assert r.status_code == 200, r.text
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["bank_reference"] == (
        "HSBC-2026-1122-0042"
    )
    clock.advance(days=3)
    api.items("C100", [invoice("I1", "5000.00", "2026-10-01")], clock.now.isoformat())
    within = api.check("O2", "10.00").json()
    assert "PAYMENT_NOT_CONFIRMED" not in [x["code"] for x in within["reasons"]]
    clock.advance(minutes=1)
    late = api.check("O3", "10.00").json()
    assert late["outcome"] == "hold"
    assert "PAYMENT_NOT_CONFIRMED" in [x["code"] for x in late["reasons"]]
    assert "HSBC-2026-1122-0042" in next(
        x["message"] for x in late["reasons"] if x["code"] == "PAYMENT_NOT_CONFIRMED"
    )
    assert late["remedies"] == []  # no single change cures an unconfirmed payment


def test_a_confirmed_payment_holds_nothing(overdue_hold: tuple[Api, str], clock: FakeClock) -> None:
    api, rid = overdue_hold
    assert release(api, rid, bank_reference="REF-1").status_code == 200
    clock.advance(days=2)
    api.items("C100", [], clock.now.isoformat())
    assert api.check("O2", "10.00").json()["outcome"] == "release"
    clock.advance(days=5)
    api.items("C100", [invoice("I9", "10.00", "2026-12-30")], clock.now.isoformat())
    assert api.check("O3", "10.00").json()["outcome"] == "release"


def test_a_bad_bank_reference_is_refused(overdue_hold: tuple[Api, str]) -> None:
    api, rid = overdue_hold
    for bad in ("", "   ", "x" * 101, 42):
        r = api.post(
            f"/v1/unfreeze-requests/{rid}/release", {"bank_reference": bad}, who="credit_controller"
        )
        assert r.status_code == 422, bad


# -- repayment plans -------------------------------------------------------------------


PLAN = [{"due_date": "2026-11-25", "amount": "2000.00"}]


def plan_hold(api: Api) -> str:
    api.customer("C100", credit_limit="10000.00")
    api.items("C100", [invoice("I1", "9000.00", "2026-12-31")])
    return held_request(api, "O1", "2000.00", condition="repayment_plan", repayment_plan=PLAN)


@pytest.mark.parametrize(
    ("config_text", "where", "code"),
    [
        (None, "warnings", "REPAYMENT_PLAN_BEHIND"),
        (
            shipped_config(approval={"repayment_plan_behind": '"hold"'}),
            "reasons",
            "REPAYMENT_PLAN_BROKEN",
        ),
    ],
)
def test_a_plan_behind_is_flagged_on_the_customers_checks(
    api: Api, clock: FakeClock, where: str, code: str
) -> None:
    rid = plan_hold(api)
    assert release(api, rid).status_code == 200
    # Before the installment's day nothing is due.
    clock.advance(days=3)
    api.items("C100", [invoice("I1", "9000.00", "2026-12-31")], clock.now.isoformat())
    assert api.check("O2", "1.00").json()["warnings"] == []
    # The day after it, the open items have not fallen by 2,000: behind.
    clock.advance(days=1)
    api.items("C100", [invoice("I1", "8000.00", "2026-12-31")], clock.now.isoformat())
    behind = api.check("O3", "1.00").json()
    assert code in [x["code"] for x in behind[where]]
    if where == "reasons":
        assert behind["outcome"] == "hold"
    # Paid down by the installment: no longer behind.
    api.items("C100", [invoice("I1", "7000.00", "2026-12-31")], clock.now.isoformat())
    ok = api.check("O4", "1.00").json()
    assert code not in [x["code"] for x in ok["warnings"] + ok["reasons"]]
    # What the watches found is recorded with each check: the running config's
    # simulation reproduces every decision, the plan's hold included.
    from tests.gateway.test_simulation import CURRENT, simulate_api

    report = simulate_api(api, CURRENT).json()
    assert report["differences"] == [], report["differences"]


# -- the archive -------------------------------------------------------------------------


def test_released_requests_are_filed_by_date(api: Api, clock: FakeClock) -> None:
    api.customer("C100", credit_limit="10000.00")
    first = held_request(api, "O1", "12000.00")
    release(api, first)
    clock.advance(days=2)
    api.items("C100", [], clock.now.isoformat())
    second = held_request(api, "O2", "11000.00")
    release(api, second)
    third = held_request(api, "O3", "11000.00")  # approved, never released

    def ids(query: str) -> list[str]:
        r = api.get(f"/v1/unfreeze-requests?{query}", who="credit_controller")
        assert r.status_code == 200, r.text
        return [x["request_id"] for x in r.json()["requests"]]

    assert ids("status=released") == [first, second]
    assert ids("status=released&from=2026-11-22&to=2026-11-22") == [first]
    assert ids("status=released&from=2026-11-23") == [second]
    assert ids("status=released&to=2026-11-21") == []
    assert third in ids("status=approved")
    bad = api.get("/v1/unfreeze-requests?status=released&from=2026-13-01", who="credit_controller")
    assert bad.status_code == 422
    shown = api.get("/v1/unfreeze-requests?status=released", who="credit_controller").json()
    assert shown["requests"][0]["figures"]["order_amount"] == "12000.00"
    assert shown["requests"][0]["release_figures"]["order_amount"] == "12000.00"


def test_the_archive_as_csv(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    rid = held_request(api, "O1", "12000.00")
    release(api, rid)
    r = api.client.get(
        "/v1/unfreeze-requests?status=released",
        headers={"Authorization": f"Bearer {KEYS['credit_controller']}", "Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["request_id"] == rid
    assert row["status"] == "released"
    assert row["filing_over_limit"] == "2000.00"
    assert row["release_over_limit"] == "2000.00"
    assert row["filing_order_amount"] == row["release_order_amount"] == "12000.00"
    assert row["approved_by"] == "sales_manager finance_manager general_manager"


@pytest.mark.parametrize(
    "config_text", [shipped_config(approval={"repayment_plan_behind": '"hold"'})]
)
def test_a_broken_plan_holds_on_re_evaluation_too(api: Api, clock: FakeClock) -> None:
    rid = plan_hold(api)
    assert release(api, rid).status_code == 200
    api.customer("C100", credit_limit="20000.00")
    clock.advance(days=4)
    api.items("C100", [invoice("I1", "9000.00", "2026-12-31")], clock.now.isoformat())
    held = api.check("O2", "1.00").json()
    assert [x["code"] for x in held["reasons"]] == ["REPAYMENT_PLAN_BROKEN"]
    # A snapshot that leaves the plan behind (fallen by 1,000 of 2,000) releases nothing;
    # one that catches up releases O2.
    clock.advance(minutes=1)
    behind = api.items("C100", [invoice("I1", "8000.00", "2026-12-31")], clock.now.isoformat())
    assert behind.json()["released"] == []
    clock.advance(minutes=1)
    caught_up = api.items("C100", [invoice("I1", "7000.00", "2026-12-31")], clock.now.isoformat())
    assert caught_up.json()["released"] == ["sap/O2"]
