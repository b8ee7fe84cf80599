"""The unfreeze flow's use cases, each in its own transaction on the unit of work: file
a request, approve or reject it, release its order, revoke a token, and show requests
(reading, after a short write of their own that expires the lapsed ones). The steps
they run in that transaction are `service`, `release`, `issuance` and `expiry`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.auth import Principal
from gateway.db.uow import UnitOfWork
from gateway.orders.notify import Released
from gateway.unfreeze import expiry, issuance, service, views
from gateway.unfreeze import repository as repo
from gateway.unfreeze.context import UnfreezeContext
from gateway.unfreeze.release import ReleaseContext, release_request
from gateway.unfreeze.schemas import UnfreezeIn
from policies.roles import Role


def file_request(
    uow: UnitOfWork, body: UnfreezeIn, who: Principal, ctx: UnfreezeContext
) -> dict[str, Any]:
    with uow.write() as conn:
        return service.create_request(conn, body, who, ctx)


def approve(
    uow: UnitOfWork, request_id: str, who: Principal, comment: str, ctx: UnfreezeContext
) -> dict[str, Any]:
    with uow.write() as conn:
        return service.decide(conn, request_id, who, "approve", comment, ctx)


def reject(
    uow: UnitOfWork, request_id: str, who: Principal, comment: str, ctx: UnfreezeContext
) -> dict[str, Any]:
    service.require_comment(comment)  # before the request is looked up
    with uow.write() as conn:
        return service.decide(conn, request_id, who, "reject", comment, ctx)


def release(
    uow: UnitOfWork,
    request_id: str,
    who: Principal,
    bank_reference: str | None,
    ctx: ReleaseContext,
) -> tuple[dict[str, Any], Released]:
    """The approved request's order released: the new decision, and the release its ERP
    is to hear of once this has committed."""
    with uow.write() as conn:
        return release_request(conn, request_id, who, bank_reference, ctx)


def revoke_token(
    uow: UnitOfWork, token_id: str, who: Principal, ctx: UnfreezeContext
) -> dict[str, Any]:
    with uow.write() as conn:
        return issuance.revoke_token(conn, token_id, who, ctx)


def show(uow: UnitOfWork, request_id: str, who: Principal, ctx: UnfreezeContext) -> dict[str, Any]:
    """One request as `who` may see it (404 or 403 before anything is written)."""
    expiry.expire_if_lapsed(uow, request_id, ctx, who)
    with uow.read() as conn:
        return views.view(conn, service.find(conn, request_id), who, ctx)


def listing(
    uow: UnitOfWork,
    who: Principal,
    ctx: UnfreezeContext,
    *,
    status: str | None,
    customer_id: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[dict[str, Any]]:
    """Requests by status, a sales rep's own only; pending means still decidable."""
    mine = who.name if who.role is Role.SALES else None
    expiry.expire_lapsed_pending(uow, ctx, mine)
    with uow.read() as conn:
        rows = repo.list_requests(
            conn,
            status=status,
            requester=mine,
            customer_id=customer_id,
            since=since,
            until=until,
        )
        return [views.view(conn, r, who, ctx) for r in rows]
