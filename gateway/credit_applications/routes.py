"""Credit applications (new customers and updates), their approval, and the reviews due."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from gateway.auth import Principal, require
from gateway.balances import temporary_limits
from gateway.credit_applications import decide, reviews, service, views
from gateway.credit_applications import repository as repo
from gateway.credit_applications.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationsOut,
    CommentIn,
    RejectCommentIn,
    ReviewsDueOut,
)
from gateway.db.engine import read_tx, write_tx
from gateway.http import ExactJSONRoute
from gateway.orders.notify import notify_releases
from gateway.resources import Resources, resources
from policies.credit_application import APPLICATION_APPROVERS, ApplicationStatus
from policies.roles import OVERSEERS, Role

router = APIRouter(tags=["credit applications"], route_class=ExactJSONRoute)

Res = Annotated[Resources, Depends(resources)]
ApplicationId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-f\-]+$")]
filer = require(Role.SALES, Role.CREDIT_CONTROLLER, Role.FINANCE_MANAGER)
approver = require(*APPLICATION_APPROVERS)
reader = require(Role.SALES, Role.ADMIN, *APPLICATION_APPROVERS)
overseer = require(*OVERSEERS)


def context(res: Resources) -> service.ApplicationContext:
    section = res.config.raw.credit_approval
    check = res.check_context()
    return service.ApplicationContext(
        matrix=section.matrix(),
        scorecard=res.config.raw.scorecard.scorecard(),
        fx=res.config.policy.fx,
        now=check.now,
        today=check.now.astimezone(res.config.timezone).date(),
        expire_after=timedelta(days=section.expire_after_days),
        max_terms_days=section.max_terms_days,
        review_months=section.review_months,
        check=check,
    )


def expire_lapsed(engine: Engine, ctx: service.ApplicationContext, ids: list[str]) -> None:
    """Pending applications past their expiry are expired in a short write of their own
    (read first: most reads write nothing)."""
    if not ids:
        return
    with write_tx(engine) as conn:
        for application_id in ids:
            decide.expire_if_lapsed(conn, service.find(conn, application_id, lock=True), ctx)


def sweep(res: Resources, ctx: service.ApplicationContext) -> None:
    temporary_limits.revert_lapsed(res.engine, ctx.now, ctx.today)


@router.post("/v1/credit-applications", status_code=201, response_model=ApplicationOut)
def create(
    body: ApplicationIn, res: Res, who: Annotated[Principal, Depends(filer)]
) -> JSONResponse:
    ctx = context(res)
    sweep(res, ctx)
    with write_tx(res.engine) as conn:
        created = service.create(conn, body, who, ctx)
    return JSONResponse(created, status_code=201)


def _decide(
    application_id: str,
    body: CommentIn,
    res: Resources,
    who: Principal,
    action: str,
    background: BackgroundTasks,
) -> dict[str, Any]:
    ctx = context(res)
    sweep(res, ctx)
    with write_tx(res.engine) as conn:
        answer, released = decide.decide(conn, application_id, who, action, body.comment, ctx)
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
    ctx = context(res)
    with read_tx(res.engine) as conn:
        row = service.find(conn, application_id)
    views.check_visible(row, who)  # before anything is written on the reader's behalf
    if row.status == ApplicationStatus.PENDING.value and ctx.now >= row.expires_at:
        expire_lapsed(res.engine, ctx, [application_id])
    with read_tx(res.engine) as conn:
        return views.view(conn, service.find(conn, application_id))


@router.get("/v1/credit-applications", response_model=ApplicationsOut)
def list_applications(
    res: Res,
    who: Annotated[Principal, Depends(reader)],
    status: Literal["pending", "applied", "ratified", "rejected", "expired"] | None = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    ctx = context(res)
    with read_tx(res.engine) as conn:
        lapsed = repo.list_applications(conn, status="pending", lapsed_before=ctx.now)
    expire_lapsed(res.engine, ctx, [r.application_id for r in lapsed])
    with read_tx(res.engine) as conn:
        rows = repo.list_applications(conn, status=status, customer_id=customer_id)
        return {"applications": [views.view(conn, r) for r in rows if views.may_read(r, who)]}


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
    sweep(res, ctx)
    with read_tx(res.engine) as conn:
        due = reviews.reviews_due(conn, res.config.policy, ctx.today, within_days)
    return {"as_of": ctx.today.isoformat(), "within_days": within_days, "customers": due}
