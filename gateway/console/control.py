"""The console's pages for credit control and auditors: customers and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gateway import audit
from gateway.console import queries
from gateway.console.i18n import N_
from gateway.console.web import AUDITORS, CREDIT_CONTROL, Res, S, forbidden, not_found, page
from gateway.customers import repository as customers_repo
from gateway.db.engine import read_tx
from policies import Grade, GradePolicy

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, res: Res, session: S) -> HTMLResponse:
    if session.principal.role not in CREDIT_CONTROL:
        return forbidden(request, res, session)
    with read_tx(res.engine) as conn:
        rows = queries.customers_list(conn)
    return page(request, res, "customers.html", session, customers=rows)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer(request: Request, res: Res, session: S, customer_id: str) -> HTMLResponse:
    if session.principal.role not in CREDIT_CONTROL:
        return forbidden(request, res, session)
    today = res.clock().astimezone(res.config.timezone).date()
    with read_tx(res.engine) as conn:
        row = customers_repo.get_customer(conn, customer_id[:64])
        grade = (
            res.config.policy.grades.get(Grade(row.grade), GradePolicy()) if row else GradePolicy()
        )
        view = queries.customer_view(conn, customer_id[:64], today, grade.overdue_tolerance_days)
    if view is None:
        return not_found(
            request,
            res,
            session,
            N_("No such customer"),
            f"Customer {customer_id} is unknown to the gateway.",
        )
    return page(request, res, "customer.html", session, **view)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, res: Res, session: S, day_from: str = "", day_to: str = ""
) -> HTMLResponse:
    if session.principal.role not in AUDITORS:
        return forbidden(request, res, session)
    today = res.clock().date()
    start = _date(day_from) or today - timedelta(days=30)
    end = _date(day_to) or today
    with read_tx(res.engine) as conn:
        since, until = audit.day_window(start, end)
        rows = audit.query(conn, since=since, until=until)
    return page(
        request,
        res,
        "audit.html",
        session,
        events=[audit.event_json(r) for r in rows],
        day_from=start.isoformat(),
        day_to=end.isoformat(),
    )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
