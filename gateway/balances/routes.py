"""Master data, open-item snapshots and exposure (ERP and admin; finance may read):
the customer's figures across the ledgers (items, orders, approvals)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query

from gateway.auth import Principal, require, require_erp_scope
from gateway.balances import committee
from gateway.balances import service as balances
from gateway.balances.reevaluate import reevaluate_held
from gateway.balances.schemas import CustomerExposureOut, OpenItemsOut
from gateway.customers import repository as repo
from gateway.customers import service as customers
from gateway.customers.schemas import CustomerIn, CustomerOut, OpenItemsIn
from gateway.db.engine import read_tx, write_tx
from gateway.errors import Forbidden, NotFound
from gateway.groups import repository as groups_repo
from gateway.http import ExactJSONRoute
from gateway.orders import repository as orders_repo
from gateway.orders.figures import exposure_json
from gateway.orders.notify import notify_releases
from gateway.resources import Resources, resources
from gateway.schemas import IDENTIFIER_PATTERN
from policies import GradePolicy, compute_exposure
from policies.roles import Role

router = APIRouter(prefix="/v1/customers", tags=["customers"], route_class=ExactJSONRoute)
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)]
Res = Annotated[Resources, Depends(resources)]
writer = require(Role.ERP, Role.ADMIN)
reader = require(Role.ERP, Role.ADMIN, Role.FINANCE_MANAGER)


@router.put("/{customer_id}", response_model=CustomerOut)
def put_customer(
    customer_id: CustomerId,
    body: CustomerIn,
    res: Res,
    background: BackgroundTasks,
    who: Annotated[Principal, Depends(writer)],
) -> dict[str, Any]:
    ctx = res.check_context()
    with write_tx(res.engine) as conn:
        # Locks in the checks' order: a member's credit group before the customer.
        groups_repo.lock_group_of(conn, customer_id)
        stored = balances.upsert_customer(
            conn,
            customer_id,
            body,
            res.config.policy.fx,
            ctx.now,
            who=who,
            owner=res.config.raw.master_data.owner,
        )
        # A raised limit or an unblock releases what it makes room for at once, as a
        # payment does (SAP's credit decisions stay blocked after a limit raise: here
        # they do not); the ERPs hear of it after commit.
        released = reevaluate_held(conn, customer_id, ctx)
    background.add_task(notify_releases, released, res.erps)
    return {**stored, "released": [f"{r.erp}/{r.order_id}" for r in released]}


@router.put("/{customer_id}/open-items", response_model=OpenItemsOut)
def put_open_items(
    customer_id: CustomerId,
    body: OpenItemsIn,
    res: Res,
    background: BackgroundTasks,
    who: Annotated[Principal, Depends(writer)],
    force: Annotated[
        bool,
        Query(
            description="admin only: replace even a newer stored snapshot (audited as "
            "snapshot_forced), to repair one that was wrongly accepted"
        ),
    ] = False,
) -> dict[str, Any]:
    if force and who.role is not Role.ADMIN:
        raise Forbidden("only an admin may force a snapshot", code="FORBIDDEN_ROLE")
    # A scoped ERP key's items may name its own ERP's orders (they mark them invoiced), or
    # none; the snapshot is the customer's, whichever ERP sends it.
    for n, item in enumerate(body.items):
        if item.erp is not None:
            require_erp_scope(who, item.erp, f"body.items.{n}.erp")
    ctx = res.check_context()
    with write_tx(res.engine) as conn:
        # Locks in the checks' order: a member's credit group before the customer.
        groups_repo.lock_group_of(conn, customer_id)
        stored = balances.replace_open_items(
            conn,
            customer_id,
            body,
            ctx.policy,
            ctx.now,
            forced_by=who if force else None,
            fx=balances.rates_at(conn, ctx, body.as_of),
        )
        # The committee's stop-shipment lifts once the overdue is paid (audited).
        committee.lift_if_paid(conn, customer_id, ctx)
        # A payment may have made room: held orders get a second look, and their
        # ERPs hear about releases once this transaction has committed.
        released = reevaluate_held(conn, customer_id, ctx)
    background.add_task(notify_releases, released, res.erps)
    return {**stored, "released": [f"{r.erp}/{r.order_id}" for r in released]}


@router.get(
    "/{customer_id}/exposure",
    response_model=CustomerExposureOut,
    response_model_exclude_unset=True,  # exposure.group and exposure.fx may be left out
)
def get_exposure(
    customer_id: CustomerId, res: Res, _: Annotated[Principal, Depends(reader)]
) -> dict[str, Any]:
    now = res.clock()
    with read_tx(res.engine) as conn:
        customer = repo.get_customer(conn, customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id} is unknown", code="CUSTOMER_NOT_FOUND")
        account = customers.account_of(customer, now.astimezone(res.config.timezone).date())
        balance = customers.balance_of(conn, customer)
        item_rows = repo.items_of(conn, customer_id)
        order_rows = orders_repo.reserving_orders(conn, customer_id)
    grade = res.config.policy.grades.get(account.grade, GradePolicy())
    exposure = compute_exposure(
        account,
        balance,
        0 * account.credit_limit,
        account.currency,
        grade.overdue_tolerance_days,
        now.astimezone(res.config.timezone).date(),
    )
    cur = account.currency
    return {
        "customer_id": customer_id,
        "exposure": exposure_json(exposure),
        "orders": [
            {
                "erp": o.erp,
                "order_id": o.order_id,
                "revision": o.revision,
                "amount": customers.money_str(o.amount, cur),
                "invoiced": customers.money_str(o.invoiced, cur),
                "reserved": customers.money_str(o.reserved, cur),
                "decision_id": o.decision_id,
                "updated_at": o.updated_at.isoformat(),
            }
            for o in order_rows
        ],
        "items": [
            {
                "item_id": i.item_id,
                "kind": i.kind,
                "amount": customers.money_str(i.amount, i.currency),
                "currency": i.currency,
                "amount_credit": customers.money_str(i.amount_credit, cur),
                "due_date": i.due_date.isoformat(),
                "erp": i.erp,
                "order_id": i.order_id,
                "document_date": i.document_date.isoformat() if i.document_date else None,
                "invoice_date": i.invoice_date.isoformat() if i.invoice_date else None,
            }
            for i in item_rows
        ],
    }
