"""The services on their own: a unit of work on a migrated database (SQLite file, or
throwaway PostgreSQL), plain values in and out, no HTTP (cosmicpython's service tests).

Each use case opens its transaction on the unit of work it is given: what it answers is
committed, and a use case that fails half-way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import anyio
import pytest

from gateway import audit
from gateway.auth import KeyRing, Principal
from gateway.balances import service as balances
from gateway.balances import temporary_limits
from gateway.balances.exposure import customer_exposure
from gateway.config import load_config
from gateway.customers.schemas import CustomerIn, OpenItemsIn
from gateway.db.engine import build_engine
from gateway.db.migrate import migrate
from gateway.db.uow import UnitOfWork
from gateway.errors import NotFound
from gateway.orders import cancellation
from gateway.orders.context import CheckResult
from gateway.orders.schemas import CheckIn
from gateway.orders.service import check_order
from gateway.resources import Resources
from gateway.settings import Settings
from gateway.sync import runner
from gateway.unfreeze import use_cases as unfreeze
from gateway.unfreeze.conditions import Conditions
from gateway.unfreeze.redeem import TokenRedeemer
from gateway.unfreeze.schemas import UnfreezeIn
from gateway.unfreeze.tokens import TokenSigner
from gateway.unfreeze.watch import customer_watch
from policies.roles import Role
from tests.gateway.conftest import START, TWO_TIERS, FakeClock, shipped_config

SALES = Principal("sales", Role.SALES)
ADMIN = Principal("admin", Role.ADMIN)


@pytest.fixture
def config_text() -> str:
    return shipped_config(tiers=TWO_TIERS)


@pytest.fixture
def res(settings: Settings, clock: FakeClock) -> Iterator[Resources]:
    """What the app's lifespan builds, without the app: the unit of work and the
    contexts (the config's values and the clock's reading) the services are given."""
    engine = build_engine(settings.database_url)
    migrate(engine)
    config = load_config(settings.config_path)
    signer = TokenSigner(settings.token_secret)
    yield Resources(
        settings=settings,
        config=config,
        engine=engine,
        keyring=KeyRing(settings.api_keys),
        signer=signer,
        clock=clock,
        overrides=TokenRedeemer(signer, Conditions.from_config(config)),
        watch=customer_watch(config),
    )
    engine.dispose()


@pytest.fixture
def uow(res: Resources) -> UnitOfWork:
    return res.uow


def customer(res: Resources, customer_id: str = "C100", **fields: Any) -> dict[str, Any]:
    body = {
        "name": f"Customer {customer_id}",
        "credit_limit": "10000.00",
        "currency": "EUR",
        "grade": "B",
        "payment_terms_days": 30,
        "blocked": False,
        **fields,
    }
    stored, _ = balances.store_customer(
        res.uow, customer_id, CustomerIn.model_validate(body), res.check_context()
    )
    return stored


def open_items(res: Resources, *amounts: str, customer_id: str = "C100") -> Any:
    items = [
        {"item_id": f"I{n}", "kind": "invoice", "amount": a, "currency": "EUR",
         "due_date": "2026-12-31"}
        for n, a in enumerate(amounts)
    ]  # fmt: skip
    body = OpenItemsIn.model_validate({"as_of": res.clock().isoformat(), "items": items})
    return balances.store_open_items(res.uow, customer_id, body, res.check_context())


def check(res: Resources, order_id: str, amount: str) -> CheckResult:
    """An order checked as the route does: submitted to the unit of work (on SQLite, the
    next group commit)."""
    body = CheckIn.model_validate(
        {"erp": "sap", "order_id": order_id, "revision": 1, "customer_id": "C100",
         "amount": amount, "currency": "EUR"}
    )  # fmt: skip
    ctx = res.check_context()
    return anyio.run(res.uow.submit, lambda conn: check_order(conn, body, ctx))


def exposure(res: Resources, customer_id: str = "C100") -> dict[str, Any]:
    return customer_exposure(
        res.uow, customer_id, res.config.policy, res.clock(), res.config.timezone
    )


def test_master_data_is_stored_and_read_back(res: Resources) -> None:
    stored = customer(res, credit_limit="25000.00")
    assert (stored["customer_id"], stored["credit_limit"]) == ("C100", "25000.00")
    assert exposure(res)["exposure"]["credit_limit"] == "25000.00"
    assert [e["kind"] for e in audit.events(res.uow, customer_id="C100")] == ["master_data_changed"]


def test_cancelling_an_order_frees_its_reservation(res: Resources) -> None:
    customer(res)
    assert check(res, "O1", "1000.00").outcome == "release"
    assert exposure(res)["exposure"]["open_orders"] == "1000.00"
    cancelled = cancellation.cancel(res.uow, "sap", "O1", res.clock())
    assert (cancelled["status"], cancelled["released_reservation"]) == ("cancelled", "1000.00")
    assert exposure(res)["exposure"]["open_orders"] == "0.00"
    with pytest.raises(NotFound):
        cancellation.cancel(res.uow, "sap", "O2", res.clock())


def test_a_payment_releases_a_held_order(res: Resources) -> None:
    customer(res)
    open_items(res, "9500.00")
    held = check(res, "O1", "1000.00")
    assert held.outcome == "hold"
    stored, released = open_items(res)  # paid: no open items left
    assert stored["items"] == 0
    assert [(r.erp, r.order_id, r.revision) for r in released] == [("sap", "O1", 1)]
    orders = exposure(res)["orders"]
    assert [(o["order_id"], o["reserved"]) for o in orders] == [("O1", "1000.00")]
    assert orders[0]["decision_id"] != held.decision_id


def test_an_unfreeze_request_is_filed_approved_and_its_token_issued(
    res: Resources, clock: FakeClock
) -> None:
    customer(res)
    held = check(res, "O1", "12000.00")
    body = UnfreezeIn(decision_id=held.decision_id, condition="other", justification="why")
    filed = unfreeze.file_request(res.uow, body, SALES, res.unfreeze_context())
    assert (filed["status"], filed["required_roles"]) == (
        "pending",
        ["sales_manager", "finance_manager"],
    )
    rid = filed["request_id"]
    for role in (Role.SALES_MANAGER, Role.FINANCE_MANAGER):
        clock.advance(minutes=5)
        approver = Principal(role.value, role)
        decided = unfreeze.approve(res.uow, rid, approver, "ok", res.unfreeze_context())
    assert (decided["status"], decided["token_status"]) == ("approved", "issued")
    shown = unfreeze.show(res.uow, rid, SALES, res.unfreeze_context())
    assert shown["token"]  # the requester sees the token to send with the order
    kinds = [e["kind"] for e in audit.events(res.uow, order_id="O1")]
    assert kinds == ["request_created", "request_approved", "request_approved", "token_issued"]


def test_lapsed_requests_expire_when_listed(res: Resources, clock: FakeClock) -> None:
    customer(res)
    held = check(res, "O1", "12000.00")
    body = UnfreezeIn(decision_id=held.decision_id, condition="other", justification="why")
    unfreeze.file_request(res.uow, body, SALES, res.unfreeze_context())
    clock.advance(hours=73)
    listed = unfreeze.listing(
        res.uow, SALES, res.unfreeze_context(), status=None, customer_id=None, since=None,
        until=None,
    )  # fmt: skip
    assert [r["status"] for r in listed] == ["expired"]
    kinds = [e["kind"] for e in audit.events(res.uow, order_id="O1")]
    assert kinds == ["request_created", "request_expired"]


def test_a_temporary_limit_reverts_after_its_last_day(res: Resources, clock: FakeClock) -> None:
    customer(res)
    with res.uow.write() as conn:  # as an approved credit application leaves it
        conn.execute(
            balances.repo.customers.update()
            .where(balances.repo.customers.c.customer_id == "C100")
            .values(
                credit_limit=20000,
                limit_before_temporary=10000,
                temporary_until=START.date() + timedelta(days=1),
            )
        )
    today = START.date()
    assert temporary_limits.revert_lapsed(res.uow, clock(), today) == 0
    assert temporary_limits.revert_lapsed(res.uow, clock(), today + timedelta(days=2)) == 1
    assert exposure(res)["exposure"]["credit_limit"] == "10000.00"


def test_the_sync_lease_is_taken_once_and_given_back(res: Resources, clock: FakeClock) -> None:
    lease = timedelta(minutes=1)
    assert runner.claim_lease(res.uow, "sap", clock(), lease, force=False)
    original = runner.HOLDER
    try:
        runner.HOLDER = "other-host:1"
        assert not runner.claim_lease(res.uow, "sap", clock(), lease, force=False)
    finally:
        runner.HOLDER = original
    runner.finish_run(res.uow, runner.SyncReport("sap", clock(), customers=3), clock())
    (status,) = runner.sync_status(res.uow)
    assert (status["erp"], status["customers_synced"], status["last_error"]) == ("sap", 3, None)


class Failure(Exception):
    pass


def fail(*_: Any, **__: Any) -> Any:
    raise Failure


def test_a_failing_master_data_write_leaves_nothing(
    res: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The customer is written, then the held orders' second look fails: the whole use
    case rolls back, the customer and its audit event with it."""
    monkeypatch.setattr(balances, "reevaluate_held", fail)
    with pytest.raises(Failure):
        customer(res)
    with pytest.raises(NotFound):
        exposure(res)
    assert audit.events(res.uow) == []


def test_a_failing_snapshot_leaves_the_stored_one(
    res: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The items are replaced and invoices consumed, then the committee's check fails:
    the stored snapshot and the customer's figures are as they were."""
    customer(res)
    open_items(res, "500.00")
    monkeypatch.setattr(balances.committee, "lift_if_paid", fail)
    with pytest.raises(Failure):
        open_items(res, "100.00", "200.00")
    assert [i["amount"] for i in exposure(res)["items"]] == ["500.00"]
    assert exposure(res)["exposure"]["open_items"] == "500.00"


def test_a_failing_pull_applies_nothing(res: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pulled snapshot is applied whole or not at all: master data, sales and items."""
    master = {"name": "Pulled", "currency": "EUR", "credit_limit": "900.00", "grade": "A",
              "payment_terms_days": 30}  # fmt: skip
    items = {"as_of": res.clock().isoformat(), "items": []}
    sales = {"periods": [{"month": "2026-10", "amount": "100.00"}]}
    monkeypatch.setattr(balances, "replace_open_items", fail)
    with pytest.raises(Failure):
        balances.apply_snapshot(res.uow, res.check_context(), "P1", master, items, sales)
    with pytest.raises(NotFound):
        exposure(res, "P1")
    monkeypatch.undo()
    assert balances.apply_snapshot(res.uow, res.check_context(), "P1", master, items, sales) == []
    assert exposure(res, "P1")["exposure"]["credit_limit"] == "900.00"


def test_a_failing_approval_leaves_the_request_pending(
    res: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last approval is stored and the request approved, then issuing its token
    fails: neither approval nor status survives, and no token exists."""
    customer(res)
    held = check(res, "O1", "12000.00")
    body = UnfreezeIn(decision_id=held.decision_id, condition="other", justification="why")
    rid = unfreeze.file_request(res.uow, body, SALES, res.unfreeze_context())["request_id"]
    manager = Principal("sales_manager", Role.SALES_MANAGER)
    unfreeze.approve(res.uow, rid, manager, "ok", res.unfreeze_context())
    monkeypatch.setattr(unfreeze.service, "issue_token", fail)
    finance = Principal("finance_manager", Role.FINANCE_MANAGER)
    with pytest.raises(Failure):
        unfreeze.approve(res.uow, rid, finance, "ok", res.unfreeze_context())
    shown = unfreeze.show(res.uow, rid, ADMIN, res.unfreeze_context())
    assert (shown["status"], shown["token_status"]) == ("pending", None)
    assert [a["principal"] for a in shown["approvals"]] == ["sales_manager"]
