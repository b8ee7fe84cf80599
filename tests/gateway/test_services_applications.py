"""The credit-control use cases called as services: a unit of work on a real, migrated
database (SQLite file or throwaway PostgreSQL), plain values in and out, no HTTP.

Credit applications filed and decided through the approval matrix, the portfolio and
the committee's report read, a candidate policy simulated over recorded decisions, and
a service that fails in the middle leaving nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bench.simulate import record_history
from gateway.auth import Principal
from gateway.balances import master_data
from gateway.config import LoadedConfig, load_config
from gateway.console import service as console
from gateway.credit_applications import filing
from gateway.credit_applications import service as applications
from gateway.credit_applications.schemas import ApplicationIn
from gateway.customers.items_cache import OpenItemsCache
from gateway.db.engine import build_engine
from gateway.db.migrate import migrate
from gateway.db.uow import UnitOfWork, unit_of_work
from gateway.errors import Forbidden, InvalidInput
from gateway.fx.cache import FxCache
from gateway.orders.context import CheckContext
from gateway.portfolio import committee
from gateway.portfolio import service as portfolio
from gateway.simulation.service import candidate_policy, differs, simulate
from policies.committee import parse_month
from policies.roles import Role
from tests.gateway.conftest import SHIPPED_CONFIG, START

CONFIG = load_config(SHIPPED_CONFIG)
SALES = Principal("sales", Role.SALES)
FINANCE = Principal("finance_manager", Role.FINANCE_MANAGER)
SALES_MANAGER = Principal("sales_manager", Role.SALES_MANAGER)
GENERAL_MANAGER = Principal("general_manager", Role.GENERAL_MANAGER)


@pytest.fixture
def uow(database_url: str) -> Iterator[UnitOfWork]:
    """The app's unit of work for the database, on a freshly migrated schema."""
    engine = build_engine(database_url)
    migrate(engine)
    yield unit_of_work(engine)
    engine.dispose()


def context(config: LoadedConfig = CONFIG, **later: float) -> filing.ApplicationContext:
    """The applications' context at START (or `later`, e.g. hours=2)."""
    now = START + timedelta(**later)
    check = CheckContext(
        config.policy, config.timezone, now, items=OpenItemsCache(), fx_rates=FxCache()
    )
    return applications.context_of(config, check)


def application(**fields: Any) -> ApplicationIn:
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
    return ApplicationIn.model_validate(body)


def new_customer(uow: UnitOfWork, limit: str = "10000.00", cid: str = "C100") -> None:
    """A customer created the way the product creates one: a "new" application
    approved by every role it requires."""
    filed = applications.file_application(
        uow,
        application(customer_id=cid, kind="new", name=f"Customer {cid}", credit_limit=limit),
        SALES,
        context(),
    )
    for who in (FINANCE, SALES_MANAGER, GENERAL_MANAGER):
        assert who.role.value in filed["required_roles"]
        answer, released = applications.decide(
            uow, filed["application_id"], who, "approve", "ok", context()
        )
        assert released == []
    assert answer["status"] == "applied"


def limit_of(uow: UnitOfWork) -> str:
    figures = portfolio.current_portfolio(uow, CONFIG, FxCache(), START.date(), START)
    total: str = figures["credit_limit_total"]
    return total


def test_an_update_changes_the_limit_on_its_last_approval(uow: UnitOfWork) -> None:
    new_customer(uow, "10000.00")
    assert limit_of(uow) == "10000.00"
    filed = applications.file_application(uow, application(), SALES, context())
    assert (filed["status"], filed["required_roles"]) == (
        "pending",
        ["finance_manager", "general_manager"],
    )
    aid = filed["application_id"]
    answer, _ = applications.decide(uow, aid, FINANCE, "approve", "ok", context(minutes=5))
    assert answer["status"] == "pending"
    assert limit_of(uow) == "10000.00"  # nothing applies before the last approval
    answer, released = applications.decide(
        uow, aid, GENERAL_MANAGER, "approve", "fine", context(minutes=9)
    )
    assert answer["status"] == "applied"
    assert [a["role"] for a in answer["approvals"]] == ["finance_manager", "general_manager"]
    assert released == []  # C100 had no held orders
    assert limit_of(uow) == "20000.00"
    changes = [
        e
        for e in console.audit_events(uow, START.date(), START.date())
        if e["kind"] == "master_data_changed" and e["data"].get("application_id") == aid
    ]
    assert [(c["before"]["credit_limit"], c["after"]["credit_limit"]) for c in changes] == [
        ("10000.00", "20000.00")
    ]
    # Read back as the API and the console read it.
    assert applications.application(uow, aid, SALES, context())["status"] == "applied"
    listed = applications.applications(uow, FINANCE, context(), status="applied")
    assert aid in [a["application_id"] for a in listed]


def test_a_rejection_needs_a_comment_and_changes_nothing(uow: UnitOfWork) -> None:
    new_customer(uow, "10000.00")
    aid = applications.file_application(uow, application(), SALES, context())["application_id"]
    with pytest.raises(InvalidInput) as refused:
        applications.decide(uow, aid, FINANCE, "reject", "  ", context())
    assert refused.value.code == "COMMENT_REQUIRED"
    answer, released = applications.decide(
        uow, aid, FINANCE, "reject", "no payment history yet", context()
    )
    assert (answer["status"], released) == ("rejected", [])
    assert limit_of(uow) == "10000.00"
    rejected = [
        e
        for e in console.audit_events(uow, START.date(), START.date())
        if e["kind"] == "credit_application_rejected"
    ]
    assert [(e["principal"], e["comment"]) for e in rejected] == [
        ("finance_manager", "no payment history yet")
    ]


def test_the_requester_may_not_approve_their_own(uow: UnitOfWork) -> None:
    new_customer(uow, "10000.00")
    finance_filed = applications.file_application(uow, application(), FINANCE, context())
    with pytest.raises(Forbidden) as refused:
        applications.decide(
            uow, finance_filed["application_id"], FINANCE, "approve", "mine", context()
        )
    assert refused.value.code == "SELF_APPROVAL"


def test_a_lapsed_application_is_expired_when_read(uow: UnitOfWork) -> None:
    new_customer(uow, "10000.00")
    aid = applications.file_application(uow, application(), SALES, context())["application_id"]
    later = context(days=365)
    assert applications.application(uow, aid, SALES, later)["status"] == "expired"
    assert applications.applications(uow, FINANCE, later, status="pending") == []


def test_an_error_in_the_middle_leaves_nothing_written(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last approval writes the approval, its audit event, the customer's new limit
    and the master-data event in one transaction: when the last write fails, none of
    the others is left behind."""
    new_customer(uow, "10000.00")
    aid = applications.file_application(uow, application(), SALES, context())["application_id"]
    applications.decide(uow, aid, FINANCE, "approve", "ok", context())
    before = console.audit_events(uow, START.date(), START.date())

    def fails(*_: Any, **__: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(master_data, "record_change", fails)
    with pytest.raises(RuntimeError):
        applications.decide(uow, aid, GENERAL_MANAGER, "approve", "fine", context())
    monkeypatch.undo()
    shown = applications.application(uow, aid, SALES, context())
    assert shown["status"] == "pending"
    assert [a["role"] for a in shown["approvals"]] == ["finance_manager"]
    assert limit_of(uow) == "10000.00"
    assert console.audit_events(uow, START.date(), START.date()) == before
    # And the same approval, once the store works, applies the change.
    answer, _ = applications.decide(uow, aid, GENERAL_MANAGER, "approve", "fine", context())
    assert answer["status"] == "applied"
    assert limit_of(uow) == "20000.00"


def test_portfolio_reviews_and_the_committee_report(uow: UnitOfWork) -> None:
    new_customer(uow, "10000.00", "C100")
    new_customer(uow, "5000.00", "C200")
    view = portfolio.current_portfolio(uow, CONFIG, FxCache(), START.date(), START)
    assert (view["customers"], view["credit_limit_total"], view["exposure_total"]) == (
        2,
        "15000.00",
        "0.00",
    )
    assert view["held_orders"] == {"count": 0, "amount": "0.00", "oldest_hours": None}
    history = portfolio.portfolio_history(
        uow, CONFIG, FxCache(), START.date(), START, ("2026-10", "2026-11")
    )
    assert history.view == view
    assert sorted(f.customer_id for f in history.figures) == ["C100", "C200"]
    assert history.held == []
    # Every application sets a review date from the grade: none due within 30 days.
    assert applications.reviews_due(uow, CONFIG.policy, context(), 30) == []
    assert len(applications.reviews_due(uow, CONFIG.policy, context(), 3650)) == 2
    month = parse_month("2026-11", START.date())
    report = committee.report_for(uow, CONFIG, FxCache(), month, START.date())
    assert [(c["customer_id"], c["credit_limit"]) for c in report["customers"]] == [
        ("C100", "10000.00"),
        ("C200", "5000.00"),
    ]
    decided = committee.decide(
        uow,
        customer_id="C200",
        month=month,
        kind="stop_shipments",
        note="overdue for months",
        until=None,
        who=FINANCE,
        now=START,
    )
    assert decided["kind"] == "stop_shipments"
    assert [d["customer_id"] for d in committee.decisions(uow, month)] == ["C200"]
    report = committee.report_for(uow, CONFIG, FxCache(), month, START.date())
    blocked = {c["customer_id"]: c["blocked"] for c in report["customers"]}
    assert blocked == {"C100": False, "C200": True}


def test_a_candidate_policy_simulated_over_recorded_decisions(uow: UnitOfWork) -> None:
    record_history(uow.engine, CONFIG, 60)
    same = simulate(uow, CONFIG.policy, CONFIG, today=START.date())
    assert (same["replayed"], same["unchanged"], differs(same)) == (60, 60, False)
    # Grade C's orders capped at 2,000.00: its larger orders would have been held.
    capped = SHIPPED_CONFIG.read_text().replace(
        'max_order_value = "50000.00"', 'max_order_value = "2000.00"'
    )
    stricter = simulate(
        uow, candidate_policy(capped, CONFIG), CONFIG, today=START.date(), page_size=7
    )
    assert stricter["replayed"] == 60
    assert (stricter["hold_to_release"], differs(stricter)) == (0, True)
    assert stricter["release_to_hold"] == stricter["by_reason"]["ORDER_VALUE_EXCEEDED"] > 0
    assert Decimal(stricter["amount_to_hold"]) > 0
    # Only the window's decisions are replayed.
    tomorrow = START.date() + timedelta(days=1)
    assert simulate(uow, CONFIG.policy, CONFIG, since=tomorrow, today=START.date())["replayed"] == 0


def test_a_console_session_speaks_for_its_principal_until_revoked(uow: UnitOfWork) -> None:
    session_id = console.open_session(uow, FINANCE, START, timedelta(hours=8))
    assert console.session_principal(uow, session_id, START + timedelta(hours=1)) == FINANCE
    assert console.session_principal(uow, session_id, START + timedelta(hours=9)) is None
    console.revoke_session(uow, session_id, START + timedelta(hours=2))
    assert console.session_principal(uow, session_id, START + timedelta(hours=3)) is None
    assert console.session_principal(uow, "unknown", START) is None
