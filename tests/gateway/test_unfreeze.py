"""The unfreeze flow end to end through the API, and every refusal on the way."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gateway.unfreeze import repository
from tests.gateway.conftest import TWO_TIERS, Api, FakeClock, shipped_config


@pytest.fixture
def config_text() -> str:
    """These tests are about the flow, not the chain: the two tiers shipped before seed
    004's chain became the default (tests/gateway/test_release.py tests the default),
    and release validity off, so a later revision of an overridden order is checked
    (and a spent token refused) as before (tests/gateway/test_release_validity.py)."""
    return shipped_config(tiers=TWO_TIERS).replace("days = 30", "days = 0")


def hold(api: Api, order_id: str = "O1", amount: str = "12000.00", **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = api.check(order_id, amount, **kw).json()
    assert body["outcome"] == "hold", body
    return body


def request(api: Api, decision_id: str, who: str = "sales", **kw: Any) -> Any:
    body = {
        "decision_id": decision_id,
        "condition": "other",
        "justification": "strategic customer, CFO informed",
        **kw,
    }
    return api.post("/v1/unfreeze-requests", body, who=who)


def approve(api: Api, request_id: str, who: str, comment: str = "ok") -> Any:
    return api.post(f"/v1/unfreeze-requests/{request_id}/approve", {"comment": comment}, who=who)


@pytest.fixture
def held(api: Api) -> tuple[Api, dict[str, Any]]:
    api.customer("C100", credit_limit="10000.00")
    return api, hold(api)


def approved_token(api: Api, decision_id: str) -> tuple[str, str]:
    created = request(api, decision_id).json()
    rid = created["request_id"]
    for role in created["required_roles"]:  # whatever the config asks
        assert approve(api, rid, role).status_code == 200
    got = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    return rid, got["token"]


def test_full_flow_releases_that_one_order(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    r = request(api, decision["decision_id"])
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "pending"
    assert created["required_roles"] == ["sales_manager", "finance_manager"]
    assert created["approvals"] == []
    assert (created["erp"], created["order_id"], created["customer_id"]) == ("sap", "O1", "C100")
    assert created["amount"] == "12000.00"
    assert created["figures"]["credit_limit"] == "10000.00"
    assert created["figures"]["over_limit"] == "2000.00"
    assert created["figures"]["payment_terms_days"] == 30
    rid = created["request_id"]

    assert approve(api, rid, "sales_manager").json()["status"] == "pending"
    done = approve(api, rid, "finance_manager").json()
    assert done["status"] == "approved"
    assert "token" not in done  # the approver does not see it
    mine = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()
    token = mine["token"]
    assert mine["token_expires_at"]

    released = api.check("O1", "12000.00", override_token=token).json()
    assert released["outcome"] == "release"
    assert released["override"] == {
        "request_id": rid,
        "approved_by": ["sales_manager", "finance_manager"],
    }
    assert [x["code"] for x in released["reasons"]] == ["CREDIT_LIMIT_EXCEEDED"]
    # The exact request again: its stored answer.
    again = api.check("O1", "12000.00", override_token=token).json()
    assert again["decision_id"] == released["decision_id"]
    # The next order of that customer is still held; the limit did not move.
    nxt = hold(api, "O2", "100.00")
    assert nxt["exposure"]["credit_limit"] == "10000.00"
    assert nxt["exposure"]["open_orders"] == "12000.00"
    # The token is used up, even for a new revision of the same order.
    reuse = api.check("O1", "12000.00", revision=2, override_token=token).json()
    assert reuse["outcome"] == "hold"
    assert "already been used" in reuse["reasons"][-1]["message"]


def test_token_only_for_that_order_and_amount(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    _, token = approved_token(api, decision["decision_id"])
    # An order that passes on its own does not consult (or use up) the token.
    other = api.check("O9", "500.00", override_token=token).json()
    assert (other["outcome"], other["override"]) == ("release", None)
    other2 = api.check("O8", "20000.00", override_token=token).json()
    assert "wrong_order" in other2["reasons"][-1]["message"]
    bigger = api.check("O1", "12000.01", revision=2, override_token=token).json()
    assert bigger["outcome"] == "hold"
    assert "amount_exceeded" in bigger["reasons"][-1]["message"]
    # A failed attempt did not use the token up: a smaller revision still goes through.
    smaller = api.check("O1", "11000.00", revision=3, override_token=token).json()
    assert smaller["outcome"] == "release"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 2048])
def test_bad_tokens_are_rejected_with_the_cause(
    held: tuple[Api, dict[str, Any]], token: str
) -> None:
    api, _ = held
    body = api.check("O1", "12000.00", override_token=token).json()
    assert body["outcome"] == "hold"
    assert "bad_signature" in body["reasons"][-1]["message"]


def test_expired_token_never_releases(held: tuple[Api, dict[str, Any]], clock: FakeClock) -> None:
    api, decision = held
    _, token = approved_token(api, decision["decision_id"])
    clock.advance(hours=25)
    body = api.check("O1", "12000.00", override_token=token).json()
    assert body["outcome"] == "hold"
    assert "expired" in body["reasons"][-1]["message"]


def test_revoked_token_never_releases(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    rid, token = approved_token(api, decision["decision_id"])
    token_id = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token_id"]
    assert api.post(f"/v1/override-tokens/{token_id}/revoke", {}, who="sales").status_code == 403
    r = api.post(f"/v1/override-tokens/{token_id}/revoke", {}, who="finance_manager")
    assert r.json()["status"] == "revoked"
    body = api.check("O1", "12000.00", override_token=token).json()
    assert "revoked" in body["reasons"][-1]["message"]


def test_redeemed_token_cannot_be_revoked(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    rid, token = approved_token(api, decision["decision_id"])
    api.check("O1", "12000.00", override_token=token)
    token_id = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token_id"]
    r = api.post(f"/v1/override-tokens/{token_id}/revoke", {}, who="admin")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "TOKEN_ALREADY_REDEEMED")


def test_requests_only_for_the_latest_held_decision(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    released = api.check("O1", "100.00").json()
    r = request(api, released["decision_id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "DECISION_NOT_HELD")
    old = hold(api, "O2", "20000.00")
    hold(api, "O2", "20000.00", revision=2)
    r = request(api, old["decision_id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "DECISION_NOT_LATEST")
    r = request(api, "00000000-0000-0000-0000-000000000000")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "DECISION_NOT_FOUND")


def test_one_open_request_per_order(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    assert request(api, decision["decision_id"]).status_code == 201
    r = request(api, decision["decision_id"], who="sales2")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "REQUEST_EXISTS")


def test_an_approved_request_whose_token_is_revoked_or_expired_no_longer_blocks(
    held: tuple[Api, dict[str, Any]], clock: FakeClock
) -> None:
    """The token was the request's outcome: once it can no longer be redeemed (revoked,
    or expired unused), the order is held with nothing under way, and may be asked for
    again. While the token can still be redeemed, the request stands."""
    api, decision = held
    rid, _ = approved_token(api, decision["decision_id"])
    r = request(api, decision["decision_id"], who="sales2")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "REQUEST_EXISTS")
    token_id = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token_id"]
    api.post(f"/v1/override-tokens/{token_id}/revoke", {}, who="finance_manager")
    second = request(api, decision["decision_id"], who="sales2")
    assert second.status_code == 201, second.json()
    approved_again = second.json()["request_id"]
    for role in second.json()["required_roles"]:
        assert approve(api, approved_again, role).status_code == 200
    clock.advance(hours=25)  # its token expired unused
    assert request(api, decision["decision_id"]).status_code == 201


def test_a_lapsed_pending_request_no_longer_blocks(
    held: tuple[Api, dict[str, Any]], clock: FakeClock
) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    clock.advance(hours=73)
    assert request(api, decision["decision_id"], who="sales2").status_code == 201
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="admin").json()["status"] == "expired"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("sales_as_manager", 403, "SELF_APPROVAL"),
        ("general_manager", 403, "ROLE_NOT_REQUIRED"),
        ("sales", 403, "FORBIDDEN_ROLE"),
        ("erp", 403, "FORBIDDEN_ROLE"),
        (None, 401, "UNAUTHENTICATED"),
    ],
)
def test_who_may_approve(
    held: tuple[Api, dict[str, Any]], who: str | None, status: int, code: str
) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    r = approve(api, rid, who)  # type: ignore[arg-type]
    assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="admin").json()["approvals"] == []


def test_a_role_approves_once(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    assert approve(api, rid, "sales_manager").status_code == 200
    r = approve(api, rid, "sm2")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ALREADY_APPROVED")


def test_rejection_ends_the_request(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    r = api.post(
        f"/v1/unfreeze-requests/{rid}/reject", {"comment": "x" * 2001}, who="finance_manager"
    )
    assert r.status_code == 422  # comments are bounded
    r = api.post(
        f"/v1/unfreeze-requests/{rid}/reject",
        {"comment": "overdue too long"},
        who="finance_manager",
    )
    assert r.json()["status"] == "rejected"
    r = approve(api, rid, "sales_manager")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "REQUEST_NOT_PENDING")
    assert "token" not in api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()


def test_undecided_requests_expire(held: tuple[Api, dict[str, Any]], clock: FakeClock) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    clock.advance(hours=73)
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="admin").json()["status"] == "expired"
    r = approve(api, rid, "sales_manager")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "REQUEST_NOT_PENDING")


def count_writes(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules that open a write transaction on the app's unit of work, in order."""
    uow = api.client.app.state.resources.uow  # type: ignore[attr-defined]
    real = uow.write
    opened: list[str] = []

    def counted() -> Any:
        opened.append(sys._getframe(1).f_globals["__name__"])
        return real()

    monkeypatch.setattr(uow, "write", counted)
    return opened


def test_showing_requests_writes_only_to_expire_lapsed_ones(
    held: tuple[Api, dict[str, Any]], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write transaction holds SQLite's writer, which the checks' group commit waits
    for on the event loop: showing requests reads, and only expiring lapsed ones
    writes, in a transaction of its own."""
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    opened = count_writes(api, monkeypatch)
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="admin").json()["status"] == "pending"
    assert api.get("/v1/unfreeze-requests", who="admin").status_code == 200
    assert opened == []
    clock.advance(hours=73)
    listed = api.get("/v1/unfreeze-requests", who="admin").json()["requests"]
    assert [r["status"] for r in listed] == ["expired"]
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="admin").json()["status"] == "expired"
    assert opened == ["gateway.unfreeze.expiry"]


def test_a_token_sent_for_an_order_already_released_is_not_spent(
    held: tuple[Api, dict[str, Any]],
) -> None:
    """Released meanwhile by a payment, the order needs no token: the re-send with it
    hears the release, same decision id, and the token stays for a later revision."""
    api, decision = held
    _, token = approved_token(api, decision["decision_id"])
    # Released meanwhile by the re-evaluation a raised limit triggers, as a payment does.
    assert api.customer("C100", credit_limit="20000.00")["released"] == ["sap/O1"]
    release = api.check("O1", "12000.00").json()
    api.customer("C100", credit_limit="10000.00")  # the exposure is over the limit again
    again = api.check("O1", "12000.00", override_token=token).json()
    assert (again["outcome"], again["decision_id"]) == ("release", release["decision_id"])
    assert api.check("O1", "12000.00").json()["decision_id"] == release["decision_id"]
    later = api.check("O1", "12000.00", revision=2, override_token=token).json()
    assert later["outcome"] == "release"
    assert later["override"] is not None


def test_a_plain_resend_after_a_rejected_token_replays_its_own_answer(
    held: tuple[Api, dict[str, Any]],
) -> None:
    api, decision = held
    rejected = api.check("O1", "12000.00", override_token="forged").json()
    assert rejected["reasons"] == [
        *decision["reasons"],
        {
            "code": "OVERRIDE_REJECTED",
            "message": "override token rejected: the token's signature is not valid "
            "(bad_signature)",
        },
    ]
    assert (rejected["outcome"], rejected["override"]) == ("hold", None)
    again = api.check("O1", "12000.00").json()
    assert again["decision_id"] == decision["decision_id"]
    assert again["reasons"] == decision["reasons"]


def test_another_reps_request_is_refused_before_anything_is_written(
    held: tuple[Api, dict[str, Any]], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    clock.advance(hours=73)  # lapsed: the next allowed look expires it
    opened = count_writes(api, monkeypatch)
    r = api.get(f"/v1/unfreeze-requests/{rid}", who="sales2")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "FORBIDDEN_REQUEST")
    assert opened == []
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["status"] == "expired"
    assert opened == ["gateway.unfreeze.expiry"]


def test_larger_revision_voids_pending_requests(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    hold(api, "O1", "13000.00", revision=2)
    assert api.get(f"/v1/unfreeze-requests/{rid}", who="admin").json()["status"] == "voided"


def test_big_orders_and_grade_d_need_the_general_manager(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    api.customer("CD", credit_limit="10000.00", grade="D")
    big = hold(api, "BIG", "150000.00")
    assert request(api, big["decision_id"]).json()["required_roles"] == [
        "sales_manager",
        "finance_manager",
        "general_manager",
    ]
    d = hold(api, "DD", "10.00", customer_id="CD")
    assert "general_manager" in request(api, d["decision_id"]).json()["required_roles"]


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"condition": "repayment_plan"}, "REPAYMENT_PLAN_REQUIRED"),
        (
            {
                "condition": "repayment_plan",
                "repayment_plan": [
                    {"due_date": "2026-12-31", "amount": "1500.00"},
                    {"due_date": "2026-12-01", "amount": "1500.00"},
                ],
            },
            "VALIDATION_ERROR",
        ),
        (
            {
                "condition": "repayment_plan",
                "repayment_plan": [{"due_date": "2026-12-31", "amount": "100.00"}],
            },
            "REPAYMENT_PLAN_TOO_SMALL",
        ),
        (
            {
                "condition": "repayment_plan",
                "repayment_plan": [{"due_date": "2026-12-31", "amount": "2000.001"}],
            },
            "INVALID_AMOUNT",
        ),
        ({"justification": "   "}, "VALIDATION_ERROR"),
        ({"condition": "begging"}, "VALIDATION_ERROR"),
    ],
)
def test_bad_requests_are_refused(
    held: tuple[Api, dict[str, Any]], extra: dict[str, Any], code: str
) -> None:
    api, decision = held
    r = request(api, decision["decision_id"], **extra)
    assert (r.status_code, r.json()["error"]["code"]) == (422, code)
    assert api.get("/v1/unfreeze-requests", who="admin").json()["requests"] == []


def test_repayment_plan_is_kept(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    r = request(
        api,
        decision["decision_id"],
        condition="repayment_plan",
        repayment_plan=[
            {"due_date": "2026-12-15", "amount": "1000.00"},
            {"due_date": "2027-01-15", "amount": 1000},
        ],
    )
    assert r.status_code == 201, r.text
    assert r.json()["repayment_plan"][1] == {"due_date": "2027-01-15", "amount": "1000.00"}


def test_sales_reps_see_only_their_own(held: tuple[Api, dict[str, Any]]) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    r = api.get(f"/v1/unfreeze-requests/{rid}", who="sales2")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "FORBIDDEN_REQUEST")
    assert api.get("/v1/unfreeze-requests", who="sales2").json()["requests"] == []
    pending = api.get("/v1/unfreeze-requests?status=pending", who="finance_manager").json()
    assert [x["request_id"] for x in pending["requests"]] == [rid]
    assert api.get("/v1/unfreeze-requests/nope", who="admin").status_code in (404, 422)


def test_audit_trail_in_date_order(held: tuple[Api, dict[str, Any]], clock: FakeClock) -> None:
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    clock.advance(minutes=5)
    approve(api, rid, "sales_manager", "fine by sales")
    clock.advance(minutes=5)
    approve(api, rid, "finance_manager")
    token = api.get(f"/v1/unfreeze-requests/{rid}", who="sales").json()["token"]
    api.check("O1", "12000.00", override_token=token)
    api.check("O1", "12000.00", revision=2, override_token=token)
    events = api.get(
        "/v1/audit?order_id=O1&from=2026-11-22&to=2026-11-22", who="finance_manager"
    ).json()["events"]
    assert [e["kind"] for e in events] == [
        "request_created",
        "request_approved",
        "request_approved",
        "token_issued",
        "token_redeemed",
        "token_rejected",
    ]
    assert events[1]["principal"] == "sales_manager"
    assert events[1]["comment"] == "fine by sales"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert token not in str(events)
    assert api.get("/v1/audit", who="sales").status_code == 403
    assert api.get("/v1/audit?from=2026-11-23", who="admin").json()["events"] == []


def pause_in(
    monkeypatch: pytest.MonkeyPatch, function: str
) -> tuple[threading.Event, threading.Event]:
    """Make the repository's `function` wait, inside its transaction (the request's lock
    held), until `go` is set; `locked` tells that it got there."""
    locked, go = threading.Event(), threading.Event()
    real = getattr(repository, function)

    def paused(*args: Any) -> Any:
        locked.set()
        assert go.wait(10)
        return real(*args)

    monkeypatch.setattr(repository, function, paused)
    return locked, go


def test_an_approval_under_way_when_the_request_lapses_stands(
    held: tuple[Api, dict[str, Any]], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last approval began before the deadline and holds the request's lock; a
    reader after the deadline must wait for it and leave its outcome alone, not expire
    the request over its token (on PostgreSQL an unlocked read would see it pending)."""
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    approve(api, rid, "sales_manager")
    clock.advance(hours=71, minutes=59)
    locked, go = pause_in(monkeypatch, "insert_approval")
    with ThreadPoolExecutor(2) as pool:
        approving = pool.submit(approve, api, rid, "finance_manager")
        assert locked.wait(10)
        clock.advance(minutes=2)  # the request has lapsed for whoever reads it now
        showing = pool.submit(api.get, f"/v1/unfreeze-requests/{rid}", who="admin")
        time.sleep(0.5)
        assert not showing.done()  # waits for the approval's lock
        go.set()
        approved, shown = approving.result(timeout=20), showing.result(timeout=20)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert shown.json()["status"] == "approved"
    assert shown.json()["token_status"] == "issued"
    events = api.get("/v1/audit?order_id=O1", who="admin").json()["events"]
    assert [e["kind"] for e in events] == [
        "request_created",
        "request_approved",
        "request_approved",
        "token_issued",
    ]


def test_an_approval_that_meets_an_expiry_under_way_is_refused(
    held: tuple[Api, dict[str, Any]], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other way round: a reader expires the request (its clock past the deadline)
    while an approval arrives that still sees it in time (another process's clock, a
    little behind): the approval waits for the lock, then finds the request expired."""
    api, decision = held
    rid = request(api, decision["decision_id"]).json()["request_id"]
    approve(api, rid, "sales_manager")
    locked, go = pause_in(monkeypatch, "set_request_status")
    with ThreadPoolExecutor(2) as pool:
        clock.advance(hours=72, minutes=1)
        showing = pool.submit(api.get, f"/v1/unfreeze-requests/{rid}", who="admin")
        assert locked.wait(10)
        clock.advance(minutes=-2)  # the approver's clock: still within the 72 hours
        approving = pool.submit(approve, api, rid, "finance_manager")
        time.sleep(0.5)
        assert not approving.done()  # waits for the expiry's lock
        go.set()
        shown, refused = showing.result(timeout=20), approving.result(timeout=20)
    assert shown.json()["status"] == "expired"
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "REQUEST_NOT_PENDING")
    events = api.get("/v1/audit?order_id=O1", who="admin").json()["events"]
    assert [e["kind"] for e in events] == [
        "request_created",
        "request_approved",
        "request_expired",
    ]
