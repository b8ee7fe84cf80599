"""Credit applications (new customers and updates), their approval, and the reviews due."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from fastapi.responses import JSONResponse

from gateway.auth import Principal, require
from gateway.credit_applications import service
from gateway.credit_applications.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationsOut,
    CommentIn,
    RejectCommentIn,
    ReviewsDueOut,
)
from gateway.http import ExactJSONRoute
from gateway.orders.notify import notify_releases
from gateway.resources import Resources, resources
from policies.credit_application import APPLICATION_APPROVERS
from policies.roles import OVERSEERS, Role

router = APIRouter(tags=["credit applications"], route_class=ExactJSONRoute)

Res = Annotated[Resources, Depends(resources)]
ApplicationId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-f\-]+$")]
filer = require(Role.SALES, Role.CREDIT_CONTROLLER, Role.FINANCE_MANAGER)
approver = require(*APPLICATION_APPROVERS)
reader = require(Role.SALES, Role.ADMIN, *APPLICATION_APPROVERS)
overseer = require(*OVERSEERS)


def context(res: Resources) -> service.ApplicationContext:
    return service.context_of(res.config, res.check_context())


@router.post("/v1/credit-applications", status_code=201, response_model=ApplicationOut)
def create(
    body: ApplicationIn, res: Res, who: Annotated[Principal, Depends(filer)]
) -> JSONResponse:
    created = service.file_application(res.uow, body, who, context(res))
    return JSONResponse(created, status_code=201)


def _decide(
    application_id: str,
    body: CommentIn,
    res: Resources,
    who: Principal,
    action: str,
    background: BackgroundTasks,
) -> dict[str, Any]:
    answer, released = service.decide(
        res.uow, application_id, who, action, body.comment, context(res)
    )
    if released:
        background.add_task(notify_releases, released, res.erps)
    return answer


@router.post("/v1/credit-applications/{application_id}/approve", response_model=ApplicationOut)
def approve(
    application_id: ApplicationId,
    body: CommentIn,
    res: Res,
    background: BackgroundTasks,
    who: Annotated[Principal, Depends(approver)],
) -> dict[str, Any]:
    return _decide(application_id, body, res, who, "approve", background)


@router.post("/v1/credit-applications/{application_id}/reject", response_model=ApplicationOut)
def reject(
    application_id: ApplicationId,
    body: RejectCommentIn,
    res: Res,
    background: BackgroundTasks,
    who: Annotated[Principal, Depends(approver)],
) -> dict[str, Any]:
    return _decide(application_id, body, res, who, "reject", background)


@router.get("/v1/credit-applications/{application_id}", response_model=ApplicationOut)
def get_one(
    application_id: ApplicationId, res: Res, who: Annotated[Principal, Depends(reader)]
) -> dict[str, Any]:
    return service.application(res.uow, application_id, who, context(res))


@router.get("/v1/credit-applications", response_model=ApplicationsOut)
def list_applications(
    res: Res,
    who: Annotated[Principal, Depends(reader)],
    status: Literal["pending", "applied", "ratified", "rejected", "expired"] | None = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    shown = service.applications(res.uow, who, context(res), status, customer_id)
    return {"applications": shown}


@router.get(
    "/v1/reviews/due",
    response_model=ReviewsDueOut,
    response_model_exclude_unset=True,  # a member's exposure.group may be left out
)
def reviews_due(
    res: Res,
    _: Annotated[Principal, Depends(overseer)],
    within_days: Annotated[int, Query(ge=0, le=3650)] = 30,
) -> dict[str, Any]:
    ctx = context(res)
    due = service.reviews_due(res.uow, res.config.policy, ctx, within_days)
    return {"as_of": ctx.today.isoformat(), "within_days": within_days, "customers": due}
