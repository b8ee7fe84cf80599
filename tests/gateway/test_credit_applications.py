"""Credit applications through the API: the matrix, separation of duties, applying the
change (audited, held orders re-evaluated), temporary limits, reviews due."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.conftest import Api, FakeClock


def apply_for(api: Api, who: str = "sales", **fields: Any) -> Any:
    body: dict[str, Any] = {
        "customer_id": "C100",
        "kind": "update",
        "credit_limit": "20000.00",
        "currency": "EUR",
        "payment_terms_days": 30,
        "grade": "B",
        "justification": "annual review, good payer",
    }
    body.update(fields)
    return api.post("/v1/credit-applications", body, who=who)


def decide(api: Api, aid: str, who: str, action: str = "approve", comment: str = "ok") -> Any:
    return api.post(f"/v1/credit-applications/{aid}/{action}", {"comment": comment}, who=who)


def filed(api: Api, **fields: Any) -> dict[str, Any]:
    r = apply_for(api, **fields)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_an_update_applies_on_the_last_approval_audited(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    created = filed(api)
    assert created["status"] == "pending"
    assert created["kind"] == "update"
    assert created["required_roles"] == ["finance_manager", "general_manager"]
    assert created["approvals"] == []
    assert created["current"]["credit_limit"] == "10000.00"
    assert created["proposed"]["credit_limit"] == "20000.00"
    assert (created["suggested_limit"], created["score_total"], created["score_grade"]) == (
        None,
        None,
        None,
    )
    aid = created["application_id"]
    assert decide(api, aid, "finance_manager").json()["status"] == "pending"
    # Nothing changed yet.
    exposure = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exposure["credit_limit"] == "10000.00"
    done = decide(api, aid, "general_manager").json()
    assert done["status"] == "applied"
    assert [a["role"] for a in done["approvals"]] == ["finance_manager", "general_manager"]
    exposure = api.get("/v1/customers/C100/exposure").json()["exposure"]
    assert exposure["credit_limit"] == "20000.00"
    events = api.get("/v1/audit?customer_id=C100", who="finance_manager").json()["events"]
    changes = [e for e in events if e["kind"] == "master_data_changed"]
    assert [c["source"] for c in changes] == ["erp", "application"]
    assert changes[1]["principal"] == "general_manager"
    assert changes[1]["before"]["credit_limit"] == "10000.00"
    assert changes[1]["after"]["credit_limit"] == "20000.00"
    assert changes[1]["data"]["application_id"] == aid


def test_a_new_customer_needs_three_roles_and_is_created(api: Api) -> None:
    created = filed(api, customer_id="N1", kind="new", name="Neu GmbH", credit_limit="0")
    assert created["required_roles"] == ["finance_manager", "sales_manager", "general_manager"]
    assert created["current"] is None
    assert created["warnings"] == []
    aid = created["application_id"]
    for who in ("finance_manager", "sales_manager"):
        assert decide(api, aid, who).json()["status"] == "pending"
    assert decide(api, aid, "general_manager").json()["status"] == "applied"
    got = api.get("/v1/customers/N1/exposure").json()
    assert got["exposure"]["credit_limit"] == "0.00"
    # A new application for a customer that now exists with a limit of 0 is fine; with a
    # limit above 0 it is an update's.
    assert apply_for(api, customer_id="N1", kind="new").status_code == 201
    api.customer("C100")
    r = apply_for(api, kind="new")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "CUSTOMER_EXISTS")
    r = apply_for(api, customer_id="NOPE")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "CUSTOMER_NOT_FOUND")


@pytest.mark.parametrize(
    ("terms", "limit", "currency", "cfo"),
    [
        (100, "2999999.99", "CNY", False),
        (101, "1000.00", "CNY", True),
        (30, "3000000.00", "CNY", True),
        # EUR at 7.85 CNY: 382165.60 EUR is 2999999.96 CNY, 382165.61 is 3000000.04.
        (30, "382165.60", "EUR", False),
        (30, "382165.61", "EUR", True),
    ],
)
def test_the_cfo_joins_above_100_days_or_from_cny_3m(
    api: Api, terms: int, limit: str, currency: str, cfo: bool
) -> None:
    new = filed(
        api,
        customer_id="N1",
        kind="new",
        credit_limit=limit,
        currency=currency,
        payment_terms_days=terms,
    )
    assert ("cfo" in new["required_roles"]) is cfo
    api.customer("C100", credit_limit="10.00", payment_terms_days=10, currency=currency)
    update = filed(api, credit_limit=limit, currency=currency, payment_terms_days=terms)
    assert update["required_roles"] == ["finance_manager", "general_manager"] + (
        ["cfo"] if cfo else []
    )


def test_a_pure_reduction_applies_on_finance_alone_then_awaits_ratification(api: Api) -> None:
    api.customer("C100", credit_limit="5000000.00", payment_terms_days=120, grade="A")
    created = filed(api, credit_limit="4000000.00", payment_terms_days=110, grade="B")
    assert created["required_roles"] == ["finance_manager"]
    assert created["ratify_roles"] == ["general_manager"]
    aid = created["application_id"]
    applied = decide(api, aid, "finance_manager").json()
    assert applied["status"] == "applied"
    assert applied["awaiting_ratification"] == ["general_manager"]
    assert api.get("/v1/customers/C100/exposure").json()["exposure"]["credit_limit"] == (
        "4000000.00"
    )
    r = decide(api, aid, "general_manager", "reject", "no")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "APPLICATION_NOT_PENDING")
    ratified = decide(api, aid, "general_manager").json()
    assert ratified["status"] == "ratified"
    assert ratified["awaiting_ratification"] == []
    r = decide(api, aid, "cfo")
    assert r.status_code == 409
    # A better grade is no reduction.
    raise_grade = filed(api, credit_limit="1.00", payment_terms_days=1, grade="A")
    assert raise_grade["required_roles"] == ["finance_manager", "general_manager"]


def test_separation_of_duties(api: Api) -> None:
    api.customer("C100")
    aid = filed(api)["application_id"]
    r = decide(api, aid, "sales")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "FORBIDDEN_ROLE")
    r = decide(api, aid, "sales_as_manager")  # the requester with another key
    assert (r.status_code, r.json()["error"]["code"]) == (403, "SELF_APPROVAL")
    r = decide(api, aid, "sales_manager")  # not required for an update
    assert (r.status_code, r.json()["error"]["code"]) == (403, "ROLE_NOT_REQUIRED")
    assert decide(api, aid, "finance_manager").status_code == 200
    r = decide(api, aid, "finance_manager")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ALREADY_APPROVED")
    # A finance manager who files cannot approve their own application.
    own = filed(api, who="finance_manager")["application_id"]
    r = decide(api, own, "finance_manager")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "SELF_APPROVAL")
    assert apply_for(api, who="sales_manager").status_code == 403
    assert apply_for(api, who="erp").status_code == 403
    assert apply_for(api, who="credit_controller").status_code == 201


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_reject_needs_a_comment(api: Api, comment: str) -> None:
    api.customer("C100")
    aid = filed(api)["application_id"]
    r = decide(api, aid, "general_manager", "reject", comment)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "COMMENT_REQUIRED")
    assert api.get(f"/v1/credit-applications/{aid}", who="admin").json()["status"] == "pending"
    rejected = decide(api, aid, "general_manager", "reject", "terms too long").json()
    assert rejected["status"] == "rejected"
    assert decide(api, aid, "finance_manager").status_code == 409


def test_who_reads_an_application(api: Api) -> None:
    api.customer("C100")
    aid = filed(api)["application_id"]
    path = f"/v1/credit-applications/{aid}"
    for who in ("sales", "finance_manager", "credit_controller", "cfo", "general_manager", "admin"):
        assert api.get(path, who=who).status_code == 200, who
    for who in ("sales2", "sales_manager"):
        r = api.get(path, who=who)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "FORBIDDEN_APPLICATION")
    assert api.get(path, who="erp").status_code == 403
    assert api.get("/v1/credit-applications", who="sales2").json()["applications"] == []
    mine = api.get("/v1/credit-applications?status=pending", who="sales").json()
    assert [a["application_id"] for a in mine["applications"]] == [aid]
    assert api.get("/v1/credit-applications?status=applied", who="admin").json() == {
        "applications": []
    }
    assert api.get("/v1/credit-applications?status=nonsense", who="admin").status_code == 422
    assert api.get("/v1/credit-applications/0000", who="admin").status_code == 404


def test_undecided_applications_expire(api: Api, clock: FakeClock) -> None:
    api.customer("C100")
    aid = filed(api)["application_id"]
    clock.advance(days=14, seconds=1)
    r = decide(api, aid, "finance_manager")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "APPLICATION_EXPIRED")
    listed = api.get("/v1/credit-applications?status=expired", who="admin").json()
    assert [a["application_id"] for a in listed["applications"]] == [aid]
    events = api.get("/v1/audit?customer_id=C100", who="admin").json()["events"]
    assert "credit_application_expired" in [e["kind"] for e in events]


def test_suggested_limit_score_and_warnings(api: Api) -> None:
    created = filed(
        api,
        customer_id="N1",
        kind="new",
        credit_limit="50000.00",
        payment_terms_days=90,
        payment_terms_basis="month_end",
        forecast_monthly_sales="10000.00",
        grade="A",
        score={"debt_ratio": 10, "payment_history": 15, "reputation": 5},
    )
    # 10,000 x (90 / 30 + 2) = 50,000: not above it.
    assert created["suggested_limit"] == "50000.00"
    assert (created["score_total"], created["score_grade"]) == (30, "D")
    assert [w["code"] for w in created["warnings"]] == [
        "NEW_CUSTOMER_CREDIT",
        "TERMS_ABOVE_AUTHORITY",
        "GRADE_ABOVE_SCORE",
    ]
    assert created["proposed"]["payment_terms_basis"] == "month_end"
    above = filed(
        api, customer_id="N2", kind="new", credit_limit="40000.01", forecast_monthly_sales="20000"
    )
    assert above["suggested_limit"] == "40000.00"
    assert [w["code"] for w in above["warnings"]] == [
        "NEW_CUSTOMER_CREDIT",
        "ABOVE_SUGGESTED_LIMIT",
    ]


@pytest.mark.parametrize(
    "score", [{"no_such_factor": 1}, {"debt_ratio": 16}, {"debt_ratio": -1}, {"debt_ratio": "5"}]
)
def test_a_bad_score_is_422(api: Api, score: dict[str, Any]) -> None:
    r = apply_for(api, customer_id="N1", kind="new", score=score)
    assert r.status_code == 422, r.text
    assert api.get("/v1/credit-applications", who="admin").json()["applications"] == []


@pytest.mark.parametrize(
    "fields",
    [
        {"justification": "  "},
        {"credit_limit": "-1"},
        {"credit_limit": "1.001"},
        {"currency": "XXX"},
        {"grade": "E"},
        {"kind": "other"},
        {"payment_terms_days": 1.5},
        {"payment_terms_basis": "weekly"},
        {"valid_until": "2026-11-21"},
        {"valid_until": "2026-12-31", "credit_limit": "100.00"},
    ],
)
def test_bad_applications_are_422(api: Api, fields: dict[str, Any]) -> None:
    api.customer("C100")
    r = apply_for(api, **fields)
    assert r.status_code == 422, r.text


def test_applied_raise_releases_held_orders(api: Api) -> None:
    api.customer("C100", credit_limit="10000.00")
    held = api.check("O1", "15000.00").json()
    assert held["outcome"] == "hold"
    aid = filed(api)["application_id"]
    decide(api, aid, "finance_manager")
    decide(api, aid, "general_manager")
    again = api.check("O1", "15000.00").json()
    assert again["outcome"] == "release"
    assert again["decision_id"] != held["decision_id"]
    assert api.get("/v1/customers/C100/exposure").json()["exposure"]["open_orders"] == ("15000.00")


def test_a_temporary_limit_reverts_after_its_day(api: Api, clock: FakeClock) -> None:
    api.customer("C100", credit_limit="10000.00")
    aid = filed(api, valid_until="2026-11-25")["application_id"]
    decide(api, aid, "finance_manager")
    assert decide(api, aid, "general_manager").json()["status"] == "applied"
    assert api.check("O1", "15000.00").json()["outcome"] == "release"
    api.post("/v1/orders/sap/O1/cancel")
    clock.advance(days=3)  # 2026-11-25, the last day
    api.items("C100", [], as_of=clock.now.isoformat())
    assert api.check("O2", "15000.00").json()["outcome"] == "release"
    api.post("/v1/orders/sap/O2/cancel")
    clock.advance(days=1)  # the day after: no sweep has run, the check knows anyway
    api.items("C100", [], as_of=clock.now.isoformat())
    late = api.check("O3", "15000.00").json()
    assert late["outcome"] == "hold"
    assert late["exposure"]["credit_limit"] == "10000.00"
    events = api.get("/v1/audit?customer_id=C100", who="cfo").json()["events"]
    changes = [e for e in events if e["kind"] == "master_data_changed"]
    assert [(c["source"], c["after"]["credit_limit"]) for c in changes] == [
        ("erp", "10000.00"),
        ("application", "20000.00"),
        ("application", "10000.00"),
    ]
    assert changes[-1]["principal"] == "gateway"


def test_reviews_due(api: Api) -> None:
    api.customer("C1", review_date="2026-11-01")  # past
    api.customer("C2", review_date="2026-12-15")  # within 30 days of 2026-11-22
    api.customer("C3", review_date="2027-06-01")  # later
    api.customer("C4", review_date=None)  # missing
    r = api.get("/v1/reviews/due?within_days=30", who="credit_controller")
    assert r.status_code == 200, r.text
    due = r.json()["customers"]
    assert [(c["customer_id"], c["review_status"]) for c in due] == [
        ("C1", "overdue"),
        ("C2", "due"),
        ("C4", "missing"),
    ]
    assert due[0]["exposure"]["credit_limit"] == "10000.00"
    assert due[0]["grade"] == "B"
    assert api.get("/v1/reviews/due", who="sales").status_code == 403
    assert api.get("/v1/reviews/due?within_days=-1", who="admin").status_code == 422


def test_review_date_defaults_from_the_grade(api: Api) -> None:
    created = filed(api, customer_id="N1", kind="new", grade="C")
    assert created["proposed"]["review_date"] == "2027-05-22"  # C: 6 months
    api.customer("C100", review_date="2027-01-31")
    kept = filed(api)
    assert kept["proposed"]["review_date"] == "2027-01-31"  # an update keeps it


def test_two_last_approvals_at_once_apply_the_change_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sales manager's approval holds the application's lock while the general
    manager's arrives: the second waits, sees the first, and applies the change once."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from gateway.credit_applications import repository

    aid = filed(api, customer_id="N1", kind="new", credit_limit="500.00")["application_id"]
    decide(api, aid, "finance_manager")
    locked, go = threading.Event(), threading.Event()
    real = repository.insert_approval

    def paused(*args: Any) -> Any:
        if not locked.is_set():
            locked.set()
            assert go.wait(10)
        return real(*args)

    monkeypatch.setattr(repository, "insert_approval", paused)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(decide, api, aid, "sales_manager")
        assert locked.wait(10)
        second = pool.submit(decide, api, aid, "general_manager")
        go.set()
        answers = [first.result(10), second.result(10)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[1].json()["status"] == "applied"
    events = api.get("/v1/audit?customer_id=N1&kind=master_data_changed", who="admin").json()
    assert [e["source"] for e in events["events"]] == ["application"]
    assert api.get("/v1/customers/N1/exposure").json()["exposure"]["credit_limit"] == "500.00"
