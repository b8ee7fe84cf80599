"""Master data, open-item snapshots and exposure (ERP and admin; finance may read):
the customer's figures across the ledgers (items, orders, approvals)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query

from gateway.auth import Principal, require, require_erp_scope
from gateway.balances import service as balances
from gateway.balances.exposure import customer_exposure
from gateway.balances.schemas import CustomerExposureOut, OpenItemsOut
from gateway.customers.schemas import CustomerIn, CustomerOut, OpenItemsIn
from gateway.errors import Forbidden
from gateway.http import ExactJSONRoute
from gateway.orders.notify import notify_releases
from gateway.resources import Resources, resources
from gateway.schemas import IDENTIFIER_PATTERN
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
    owner = res.config.raw.master_data.owner
    stored, released = balances.store_customer(
        res.uow, customer_id, body, res.check_context(), who=who, owner=owner
    )
    # The ERPs hear of the releases after commit.
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
    stored, released = balances.store_open_items(
        res.uow, customer_id, body, res.check_context(), forced_by=who if force else None
    )
    # The ERPs hear of the releases after commit.
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
    return customer_exposure(
        res.uow, customer_id, res.config.policy, res.clock(), res.config.timezone
    )
