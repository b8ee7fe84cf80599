"""The audit trail over HTTP: unfreeze steps, forced snapshots, credit applications
and every change of a customer's credit fields (`master_data_changed`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from gateway import audit
from gateway.auth import Principal, require
from gateway.balances import temporary_limits
from gateway.http import ExactJSONRoute
from gateway.resources import Resources, resources
from gateway.schemas import DateOnly
from policies.roles import OVERSEERS

router = APIRouter(tags=["audit"], route_class=ExactJSONRoute)
Res = Annotated[Resources, Depends(resources)]
auditor = require(*OVERSEERS)


@router.get("/v1/audit")
def audit_trail(
    res: Res,
    _: Annotated[Principal, Depends(auditor)],
    erp: Annotated[str | None, Query(max_length=32)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    first: Annotated[DateOnly | None, Query(alias="from")] = None,
    last: Annotated[DateOnly | None, Query(alias="to")] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    now = res.clock()
    # Temporary limits that ended are written down first, so the trail shows them.
    temporary_limits.revert_lapsed(res.uow, now, now.astimezone(res.config.timezone).date())
    since, until = audit.day_window(first, last)
    shown = audit.events(
        res.uow,
        erp=erp,
        order_id=order_id,
        customer_id=customer_id,
        since=since,
        until=until,
        kind=kind,
        limit=limit,
    )
    return {"events": shown}
