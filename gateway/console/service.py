"""What the console's pages read and do, each in transactions it opens on the unit of
work it is given (`gateway.db.uow`): a page parses its form, calls one of these and
renders the answer. Writes are the features' own services (the unfreeze flow, sessions);
reads are the read models of `gateway.console.queries`. Credit applications, the
portfolio and the policy lab call their features' services directly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from gateway import audit
from gateway.auth import Principal
from gateway.console import queries, repository
from gateway.customers import repository as customers_repo
from gateway.db.uow import UnitOfWork
from gateway.unfreeze import expiry, views
from gateway.unfreeze import repository as unfreeze_repo
from gateway.unfreeze import service as unfreeze
from gateway.unfreeze.context import UnfreezeContext
from policies import Grade, GradePolicy

Tolerance = Callable[[str], int]  # a grade's overdue tolerance in days


@dataclass(frozen=True)
class RequestPage:
    """An unfreeze request as its page shows it."""

    view: dict[str, Any]  # as GET /v1/unfreeze-requests/{id} answers it
    history: list[dict[str, Any]]  # its order's audit trail
    order: dict[str, Any] | None  # its order as it stands now (queries.order_view)


# Sessions


def open_session(uow: UnitOfWork, principal: Principal, now: datetime, ttl: timedelta) -> str:
    """A new session for `principal`; answers its id (for the cookie)."""
    with uow.write() as conn:
        return repository.open_session(conn, principal, now, ttl)


def revoke_session(uow: UnitOfWork, session_id: str, now: datetime) -> None:
    with uow.write() as conn:
        repository.revoke(conn, session_id, now)


def session_principal(uow: UnitOfWork, session_id: str, now: datetime) -> Principal | None:
    """Who a live session speaks for; None when it ended or is unknown."""
    with uow.read() as conn:
        return repository.find(conn, session_id, now)


# Held orders, customers and the audit trail


def held_orders(uow: UnitOfWork, wanted: queries.HeldQuery) -> tuple[list[queries.HeldOrder], int]:
    """One page of the held-orders workbench, and how many held orders match."""
    with uow.read() as conn:
        return queries.held_orders(conn, wanted)


def order_view(
    uow: UnitOfWork, erp: str, order_id: str, now: datetime, today: date, tolerance: Tolerance
) -> dict[str, Any] | None:
    with uow.read() as conn:
        return queries.order_view(conn, erp, order_id, now, today, tolerance)


def customers(uow: UnitOfWork) -> list[Any]:
    with uow.read() as conn:
        return queries.customers_list(conn)


def customer_page(
    uow: UnitOfWork, customer_id: str, today: date, grades: Mapping[Grade, GradePolicy]
) -> dict[str, Any] | None:
    """A customer's figures, its overdue judged by its own grade's tolerance."""
    with uow.read() as conn:
        row = customers_repo.get_customer(conn, customer_id)
        grade = grades.get(Grade(row.grade), GradePolicy()) if row else GradePolicy()
        return queries.customer_view(conn, customer_id, today, grade.overdue_tolerance_days)


def customer_view(
    uow: UnitOfWork, customer_id: str, today: date, tolerance_days: int
) -> dict[str, Any] | None:
    with uow.read() as conn:
        return queries.customer_view(conn, customer_id, today, tolerance_days)


def audit_events(uow: UnitOfWork, first: date, last: date) -> list[dict[str, Any]]:
    """The audit trail from `first` through `last`, oldest first."""
    since, until = audit.day_window(first, last)
    with uow.read() as conn:
        return [audit.event_json(r) for r in audit.query(conn, since=since, until=until)]


# Unfreeze requests


def unfreeze_requests(
    uow: UnitOfWork,
    viewer: Principal,
    ctx: UnfreezeContext,
    *,
    status: str | None,
    requester: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[dict[str, Any]]:
    """The requests (of `requester`, or everyone's) as `viewer` sees them; the lapsed
    pending ones expired first, so that "pending" means still decidable."""
    expiry.expire_lapsed_pending(uow, ctx, requester)
    with uow.read() as conn:
        rows = unfreeze_repo.list_requests(
            conn, status=status, requester=requester, customer_id=None, since=since, until=until
        )
        return [views.view(conn, r, viewer, ctx) for r in rows]


def unfreeze_request(
    uow: UnitOfWork,
    request_id: str,
    viewer: Principal,
    ctx: UnfreezeContext,
    now: datetime,
    today: date,
    tolerance: Tolerance,
) -> RequestPage:
    """One request as `viewer` sees it (404, else 403; expired on the way if it
    lapsed), its order's history and its order as it stands now."""
    expiry.expire_if_lapsed(uow, request_id, ctx, viewer)
    with uow.read() as conn:
        row = unfreeze.find(conn, request_id)
        history = audit.query(conn, erp=row.erp, order_id=row.order_id)
        return RequestPage(
            views.view(conn, row, viewer, ctx),
            [audit.event_json(e) for e in history],
            queries.order_view(conn, row.erp, row.order_id, now, today, tolerance),
        )


def decide_request(
    uow: UnitOfWork,
    request_id: str,
    who: Principal,
    action: str,
    comment: str,
    ctx: UnfreezeContext,
) -> dict[str, Any]:
    """An approver's approval or rejection of an unfreeze request."""
    with uow.write() as conn:
        return unfreeze.decide(conn, request_id, who, action, comment, ctx)
