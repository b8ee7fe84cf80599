"""Unfreeze requests, approvals, token revocation and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from gateway import audit
from gateway.auth import Principal, require
from gateway.http import ExactJSONRoute
from gateway.orders.notify import notify_releases
from gateway.orders.schemas import DecisionOut
from gateway.resources import Resources, resources
from gateway.schemas import DateOnly
from gateway.unfreeze import archive, service, use_cases
from gateway.unfreeze.conditions import Conditions
from gateway.unfreeze.release import ReleaseContext
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
    created = use_cases.file_request(res.uow, body, who, res.unfreeze_context())
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
    return use_cases.approve(res.uow, request_id, who, body.comment, res.unfreeze_context())


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
    return use_cases.reject(res.uow, request_id, who, body.comment, res.unfreeze_context())


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
    answer, released = use_cases.release(res.uow, request_id, who, reference, ctx)
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
    return use_cases.show(res.uow, request_id, who, res.unfreeze_context())


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
    since, until = audit.day_window(first, last)
    shown = use_cases.listing(
        res.uow,
        who,
        res.unfreeze_context(),
        status=status,
        customer_id=customer_id,
        since=since,
        until=until,
    )
    if archive.wants_csv(request.headers.get("accept", "")):
        return Response(archive.to_csv(shown), media_type="text/csv; charset=utf-8")
    return {"requests": shown}


@router.post("/v1/override-tokens/{token_id}/revoke", response_model=TokenRevokedOut)
def revoke(
    token_id: RequestId, res: Res, who: Annotated[Principal, Depends(finance)]
) -> dict[str, Any]:
    return use_cases.revoke_token(res.uow, token_id, who, res.unfreeze_context())
