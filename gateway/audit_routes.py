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
from gateway.schemas import DateOnly, DayText, DecimalText, MomentText, ResponseModel
from policies.roles import OVERSEERS


class CreditFieldsOut(ResponseModel):
    """A customer's audited credit fields (`balances.master_data.credit_fields`), in the
    order the trail stores them (sorted)."""

    blocked: bool
    credit_limit: DecimalText
    currency: str
    grade: str
    payment_terms_days: int
    review_date: DayText | None
    temporary_until: DayText | None


class AuditEventOut(ResponseModel):
    """An event of the trail (`audit.event_json`). A `master_data_changed` event also
    has `source`, `before` (null: a new customer) and `after` at the top; the route sets
    `response_model_exclude_unset`, so other events leave them out."""

    event_id: int
    at: MomentText
    kind: str
    principal: str
    role: str
    request_id: str | None
    erp: str | None
    order_id: str | None
    customer_id: str | None
    comment: str | None
    # What the event's kind records: its own shape per kind, stored as written.
    data: dict[str, Any] | None
    source: str | None = None
    before: CreditFieldsOut | None = None
    after: CreditFieldsOut | None = None


class AuditTrailOut(ResponseModel):
    events: list[AuditEventOut]


router = APIRouter(tags=["audit"], route_class=ExactJSONRoute)
Res = Annotated[Resources, Depends(resources)]
auditor = require(*OVERSEERS)


@router.get("/v1/audit", response_model=AuditTrailOut, response_model_exclude_unset=True)
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
