"""The console's pages for credit control and auditors: customers and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gateway.console import service as console
from gateway.console.i18n import N_
from gateway.console.web import AUDITORS, CREDIT_CONTROL, Res, S, forbidden, not_found, page

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, res: Res, session: S) -> HTMLResponse:
    if session.principal.role not in CREDIT_CONTROL:
        return forbidden(request, res, session)
    rows = console.customers(res.uow)
    return page(request, res, "customers.html", session, customers=rows)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer(request: Request, res: Res, session: S, customer_id: str) -> HTMLResponse:
    if session.principal.role not in CREDIT_CONTROL:
        return forbidden(request, res, session)
    today = res.clock().astimezone(res.config.timezone).date()
    view = console.customer_page(res.uow, customer_id[:64], today, res.config.policy.grades)
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
    return page(
        request,
        res,
        "audit.html",
        session,
        events=console.audit_events(res.uow, start, end),
        day_from=start.isoformat(),
        day_to=end.isoformat(),
    )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
