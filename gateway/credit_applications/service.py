"""Credit applications' use cases: each opens its own transactions on the unit of work it
is given (`gateway.db.uow`), so the API's routes and the console's pages only parse, call
and shape the answer. Temporary limits that have ended are written down first
(`gateway.balances.temporary_limits`), so what is filed, decided or listed reads the
limits as they stand."""

from __future__ import annotations

from typing import Any

from gateway.auth import Principal
from gateway.balances import temporary_limits
from gateway.credit_applications import decide as deciding
from gateway.credit_applications import repository as repo
from gateway.credit_applications import reviews, views
from gateway.credit_applications.drift import Drift, drifted
from gateway.credit_applications.filing import ApplicationContext, context_of, create, find
from gateway.credit_applications.schemas import ApplicationIn
from gateway.db.uow import UnitOfWork
from gateway.orders.notify import Released
from policies import Policy
from policies.credit_application import ApplicationStatus

__all__ = [
    "ApplicationContext",
    "application",
    "applications",
    "context_of",
    "decide",
    "drift",
    "expire_lapsed",
    "file_application",
    "reviews_due",
    "sweep",
]


def sweep(uow: UnitOfWork, ctx: ApplicationContext) -> None:
    """Temporary limits past their last day go back to the limit before them."""
    temporary_limits.revert_lapsed(uow, ctx.now, ctx.today)


def file_application(
    uow: UnitOfWork, body: ApplicationIn, who: Principal, ctx: ApplicationContext
) -> dict[str, Any]:
    """File an application; answers its view (pending, the roles that must approve it)."""
    sweep(uow, ctx)
    with uow.write() as conn:
        return create(conn, body, who, ctx)


def decide(
    uow: UnitOfWork,
    application_id: str,
    who: Principal,
    action: str,
    comment: str,
    ctx: ApplicationContext,
) -> tuple[dict[str, Any], list[Released]]:
    """Approve (or ratify) or reject; the last required approval applies the change in
    the same transaction. Answers the application's view and the orders it released,
    for the ERPs to be told once committed."""
    sweep(uow, ctx)
    with uow.write() as conn:
        return deciding.decide(conn, application_id, who, action, comment, ctx)


def expire_lapsed(uow: UnitOfWork, ctx: ApplicationContext, ids: list[str]) -> None:
    """Pending applications past their expiry are expired in a short write of their own
    (read first: most reads write nothing)."""
    if not ids:
        return
    with uow.write() as conn:
        for application_id in ids:
            deciding.expire_if_lapsed(conn, find(conn, application_id, lock=True), ctx)


def application(
    uow: UnitOfWork, application_id: str, who: Principal, ctx: ApplicationContext
) -> dict[str, Any]:
    """One application as `who` may read it (404, else 403 before anything is written on
    the reader's behalf); expired on the way if it lapsed."""
    with uow.read() as conn:
        row = find(conn, application_id)
    views.check_visible(row, who)
    if row.status == ApplicationStatus.PENDING.value and ctx.now >= row.expires_at:
        expire_lapsed(uow, ctx, [application_id])
    with uow.read() as conn:
        return views.view(conn, find(conn, application_id))


def applications(
    uow: UnitOfWork,
    who: Principal,
    ctx: ApplicationContext,
    status: str | None = None,
    customer_id: str | None = None,
) -> list[dict[str, Any]]:
    """The applications `who` may read, oldest first; the lapsed ones expired first, so
    that "pending" means still decidable."""
    with uow.read() as conn:
        lapsed = repo.list_applications(conn, status="pending", lapsed_before=ctx.now)
    expire_lapsed(uow, ctx, [r.application_id for r in lapsed])
    with uow.read() as conn:
        rows = repo.list_applications(conn, status=status, customer_id=customer_id)
        return [views.view(conn, r) for r in rows if views.may_read(r, who)]


def reviews_due(
    uow: UnitOfWork, policy: Policy, ctx: ApplicationContext, within_days: int
) -> list[dict[str, Any]]:
    """The customers whose review is past, within `within_days`, or missing."""
    sweep(uow, ctx)
    with uow.read() as conn:
        return reviews.reviews_due(conn, policy, ctx.today, within_days)


def drift(uow: UnitOfWork, ctx: ApplicationContext) -> list[Drift]:
    """The customers whose credit fields differ from what their last applied application
    granted, and those with credit no application granted."""
    sweep(uow, ctx)
    with uow.read() as conn:
        return drifted(conn, ctx.today)
