"""The unfreeze request's page, rendered by the request routes and by the controller's
release (its errors are shown on it); and the overdue rules the order figures use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from gateway.console import service as console
from gateway.console.session import Session
from gateway.console.web import not_available, page
from gateway.errors import GatewayError
from gateway.resources import Resources
from policies.roles import Role


def overdue_rules(res: Resources) -> tuple[datetime, date, Callable[[str], int]]:
    """Now, today in the business time zone, and each grade's overdue tolerance in days."""
    grades = res.config.policy.grades

    def tolerance(grade: str) -> int:
        return next((p.overdue_tolerance_days for g, p in grades.items() if g == grade), 0)

    now = res.clock()
    return now, now.astimezone(res.config.timezone).date(), tolerance


def render_request(
    request: Request,
    res: Resources,
    session: Session,
    request_id: str,
    error: str | None,
    status: int,
    done: str = "",
) -> HTMLResponse:
    ctx = res.unfreeze_context()
    try:
        shown = console.unfreeze_request(
            res.uow, request_id[:36], session.principal, ctx, *overdue_rules(res)
        )
    except GatewayError as exc:
        return not_available(request, res, session, exc)
    view, history, now_view = shown.view, shown.history, shown.order
    can_decide = (
        session.principal.role.value in view["required_roles"]
        and view["status"] == "pending"
        and session.principal.name != view["requester"]
        and session.principal.role.value not in {a["role"] for a in view["approvals"]}
    )
    can_release = (
        session.principal.role is Role.CREDIT_CONTROLLER
        and view["status"] == "approved"
        and view["token_status"] == "issued"  # noqa: S105 (a status, not a secret)
    )
    return page(
        request,
        res,
        "request.html",
        session,
        status,
        r=view,
        can_release=can_release,
        history=history,
        now=now_view["answer"]["exposure"] if now_view else None,
        can_decide=can_decide,
        error=error,
        # What the reader's own decision did, said once after it (approve or reject).
        done=done if done in ("approve", "reject") else "",
    )
