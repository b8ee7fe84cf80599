"""Unfreeze requests, approvals, token revocation and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from gateway import audit
from gateway.auth import Principal, require
from gateway.db.engine import read_tx, write_tx
from gateway.http import ExactJSONRoute
from gateway.orders.notify import notify_releases
from gateway.orders.schemas import DecisionOut
from gateway.resources import Resources, resources
from gateway.schemas import DateOnly
from gateway.unfreeze import archive, expiry, issuance, service, views
from gateway.unfreeze import repository as repo
from gateway.unfreeze.conditions import Conditions
from gateway.unfreeze.release import ReleaseContext, release_request
from gateway.unfreeze.schemas import (
    DecisionCommentIn,
    RejectIn,
    ReleaseIn,
    TokenRevokedOut,
    UnfreezeIn,
    UnfreezeRequestOut,
    UnfreezeRequestsOut,
)
from policies.roles import Role

router = APIRouter(tags=["unfreeze"], route_class=ExactJSONRoute)


Res = Annotated[Resources, Depends(resources)]
RequestId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-f\-]+$")]
sales = require(Role.SALES)
approver = require(*service.APPROVERS)
anyone_human = require(Role.SALES, Role.ADMIN, Role.CREDIT_CONTROLLER, Role.CFO, *service.APPROVERS)
controller = require(Role.CREDIT_CONTROLLER)
finance = require(Role.FINANCE_MANAGER, Role.ADMIN)


@router.post(
    "/v1/unfreeze-requests",
    status_code=201,
    response_model=UnfreezeRequestOut,
    response_model_exclude_unset=True,
)
def create(body: UnfreezeIn, res: Res, who: Annotated[Principal, Depends(sales)]) -> JSONResponse:
    with write_tx(res.engine) as conn:
        created = service.create_request(conn, body, who, res.unfreeze_context())
    return JSONResponse(created, status_code=201)


@router.post(
    "/v1/unfreeze-requests/{request_id}/approve",
    response_model=UnfreezeRequestOut,
    response_model_exclude_unset=True,
)
def approve(
    request_id: RequestId,
    body: DecisionCommentIn,
    res: Res,
    who: Annotated[Principal, Depends(approver)],
) -> dict[str, Any]:
    with write_tx(res.engine) as conn:
        return service.decide(
            conn, request_id, who, "approve", body.comment, res.unfreeze_context()
        )


@router.post(
    "/v1/unfreeze-requests/{request_id}/reject",
    response_model=UnfreezeRequestOut,
    response_model_exclude_unset=True,
)
def reject(
    request_id: RequestId,
    body: RejectIn,
    res: Res,
    who: Annotated[Principal, Depends(approver)],
) -> dict[str, Any]:
    service.require_comment(body.comment)  # before the request is looked up
    with write_tx(res.engine) as conn:
        return service.decide(conn, request_id, who, "reject", body.comment, res.unfreeze_context())


@router.post(
    "/v1/unfreeze-requests/{request_id}/release",
    response_model=DecisionOut,
    response_model_exclude_unset=True,
)
def release(
    request_id: RequestId,
    res: Res,
    background: BackgroundTasks,
    who: Annotated[Principal, Depends(controller)],
    body: ReleaseIn | None = None,
) -> dict[str, Any]:
    """The credit controller releases the approved request's order; answered with the
    new decision (a check's answer); the order's ERP is told after commit."""
    ctx = ReleaseContext(
        res.unfreeze_context(), res.check_context(), Conditions.from_config(res.config)
    )
    reference = body.bank_reference if body is not None else None
    with write_tx(res.engine) as conn:
        answer, released = release_request(conn, request_id, who, reference, ctx)
    background.add_task(notify_releases, [released], res.erps)
    return answer


@router.get(
    "/v1/unfreeze-requests/{request_id}",
    response_model=UnfreezeRequestOut,
    response_model_exclude_unset=True,
)
def get_one(
    request_id: RequestId, res: Res, who: Annotated[Principal, Depends(anyone_human)]
) -> dict[str, Any]:
    ctx = res.unfreeze_context()
    expiry.expire_if_lapsed(res.engine, request_id, ctx, who)
    with read_tx(res.engine) as conn:
        return views.view(conn, service.find(conn, request_id), who, ctx)


# JSON by its model, or the archive as a CSV download (`Accept: text/csv`): its media
# type is declared in `archive.CSV_RESPONSE`.
@router.get(
    "/v1/unfreeze-requests",
    response_model=UnfreezeRequestsOut,
    response_model_exclude_unset=True,
    responses=archive.CSV_RESPONSE,
)
def list_requests(
    request: Request,
    res: Res,
    who: Annotated[Principal, Depends(anyone_human)],
    status: Literal["pending", "approved", "rejected", "expired", "voided", "released"]
    | None = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    first: Annotated[DateOnly | None, Query(alias="from")] = None,
    last: Annotated[DateOnly | None, Query(alias="to")] = None,
) -> Any:
    """Requests by status; `from`/`to` (days, inclusive) filter released ones by their
    release, the others by their filing. `Accept: text/csv` answers the archive as CSV."""
    ctx = res.unfreeze_context()
    mine = who.name if who.role is Role.SALES else None
    expiry.expire_lapsed_pending(res.engine, ctx, mine)
    since, until = audit.day_window(first, last)
    with read_tx(res.engine) as conn:
        rows = repo.list_requests(
            conn,
            status=status,
            requester=mine,
            customer_id=customer_id,
            since=since,
            until=until,
        )
        shown = [views.view(conn, r, who, ctx) for r in rows]
    if archive.wants_csv(request.headers.get("accept", "")):
        return Response(archive.to_csv(shown), media_type="text/csv; charset=utf-8")
    return {"requests": shown}


@router.post("/v1/override-tokens/{token_id}/revoke", response_model=TokenRevokedOut)
def revoke(
    token_id: RequestId, res: Res, who: Annotated[Principal, Depends(finance)]
) -> dict[str, Any]:
    with write_tx(res.engine) as conn:
        return issuance.revoke_token(conn, token_id, who, res.unfreeze_context())
