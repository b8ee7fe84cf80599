"""Unfreeze requests, approvals, token revocation and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from gateway.auth import Principal, require
from gateway.db.engine import read_tx, write_tx
from gateway.http import ExactJSONRoute
from gateway.resources import Resources, resources
from gateway.unfreeze import expiry, issuance, service, views
from gateway.unfreeze import repository as repo
from gateway.unfreeze.schemas import DecisionCommentIn, UnfreezeIn
from policies.roles import Role

router = APIRouter(tags=["unfreeze"], route_class=ExactJSONRoute)


Res = Annotated[Resources, Depends(resources)]
RequestId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-f\-]+$")]
sales = require(Role.SALES)
approver = require(*service.APPROVERS)
anyone_human = require(Role.SALES, Role.ADMIN, *service.APPROVERS)
finance = require(Role.FINANCE_MANAGER, Role.ADMIN)


@router.post("/v1/unfreeze-requests", status_code=201)
def create(body: UnfreezeIn, res: Res, who: Annotated[Principal, Depends(sales)]) -> JSONResponse:
    with write_tx(res.engine) as conn:
        created = service.create_request(conn, body, who, res.unfreeze_context())
    return JSONResponse(created, status_code=201)


@router.post("/v1/unfreeze-requests/{request_id}/approve")
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


@router.post("/v1/unfreeze-requests/{request_id}/reject")
def reject(
    request_id: RequestId,
    body: DecisionCommentIn,
    res: Res,
    who: Annotated[Principal, Depends(approver)],
) -> dict[str, Any]:
    with write_tx(res.engine) as conn:
        return service.decide(conn, request_id, who, "reject", body.comment, res.unfreeze_context())


@router.get("/v1/unfreeze-requests/{request_id}")
def get_one(
    request_id: RequestId, res: Res, who: Annotated[Principal, Depends(anyone_human)]
) -> dict[str, Any]:
    ctx = res.unfreeze_context()
    expiry.expire_if_lapsed(res.engine, request_id, ctx, who)
    with read_tx(res.engine) as conn:
        return views.view(conn, service.find(conn, request_id), who, ctx)


@router.get("/v1/unfreeze-requests")
def list_requests(
    res: Res,
    who: Annotated[Principal, Depends(anyone_human)],
    status: Literal["pending", "approved", "rejected", "expired", "voided"] | None = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    ctx = res.unfreeze_context()
    mine = who.name if who.role is Role.SALES else None
    expiry.expire_lapsed_pending(res.engine, ctx, mine)
    with read_tx(res.engine) as conn:
        rows = repo.list_requests(conn, status=status, requester=mine, customer_id=customer_id)
        return {"requests": [views.view(conn, r, who, ctx) for r in rows]}


@router.post("/v1/override-tokens/{token_id}/revoke")
def revoke(
    token_id: RequestId, res: Res, who: Annotated[Principal, Depends(finance)]
) -> dict[str, Any]:
    with write_tx(res.engine) as conn:
        return issuance.revoke_token(conn, token_id, who, res.unfreeze_context())
