"""The console's plumbing: templates, the session dependency, form parsing, role sets."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gateway.console import repository
from gateway.console.session import Session, SessionCodec
from gateway.db.engine import read_tx
from gateway.resources import Resources, resources
from gateway.unfreeze import service, views
from policies.roles import Role

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
Res = Annotated[Resources, Depends(resources)]
APPROVERS = set(service.APPROVERS)
CREDIT_CONTROL = {Role.FINANCE_MANAGER, Role.ADMIN, Role.GENERAL_MANAGER, Role.SALES_MANAGER}
AUDITORS = {Role.FINANCE_MANAGER, Role.ADMIN}
# Who sees unfreeze requests, as on the API: sales reps (their own), approvers, admin.
REQUEST_VIEWERS = {Role.SALES, *views.OVERSEERS}
EXPLAIN = {
    "CREDIT_LIMIT_EXCEEDED": "The order would take the customer above the approved credit limit.",
    "OVERDUE": "The customer has invoices overdue beyond the tolerance of their grade.",
    "CUSTOMER_BLOCKED": "Credit control has blocked this customer.",
    "NO_CREDIT": "The customer has no credit (unknown, grade D or a zero limit): cash only.",
    "REVIEW_DATE_PASSED": "The customer's periodic credit review is overdue.",
    "ORDER_VALUE_EXCEEDED": "The order is larger than the grade allows for a single order.",
    "BALANCE_STALE": "The gateway's copy of the customer's balance is too old to rely on.",
    "TERMS_EXCEED_APPROVED": "The order's payment terms are longer than the customer's approved "
    "terms.",
    "OVERRIDE_REJECTED": "An override token was sent but did not apply.",
}


def codec(res: Resources) -> SessionCodec:
    return SessionCodec(res.settings.token_secret)


def page(
    request: Request,
    res: Resources,
    name: str,
    session: Session | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {
            "session": session,
            "me": session.principal if session else None,
            "Role": Role,
            "explain": EXPLAIN,
            "approvers": APPROVERS,
            "credit_control": CREDIT_CONTROL,
            "auditors": AUDITORS,
            "request_viewers": REQUEST_VIEWERS,
            **context,
        },
        status_code=status,
    )


def _session(request: Request, res: Resources) -> Session | None:
    ticket = codec(res).read(request)
    if ticket is None:
        return None
    with read_tx(res.engine) as conn:
        principal = repository.find(conn, ticket.session_id, res.clock())
    # The key ring of this process decides too: a session whose key was removed, or
    # whose principal now has another role, is no session.
    if principal is None or not res.keyring.has(principal.name, principal.role):
        return None
    return Session(principal, ticket.csrf, ticket.session_id)


class Redirect(Exception):
    def __init__(self, to: str) -> None:
        self.to = to


def signed_in(request: Request, res: Res) -> Session:
    """The request's live session, else a redirect to sign in. A plain `def`, so that
    FastAPI runs it, and its database read, on a thread."""
    session = _session(request, res)
    if session is None:
        raise Redirect(f"/console/login?next={quote(request.url.path)}")
    return session


S = Annotated[Session, Depends(signed_in)]


def forbidden(request: Request, res: Resources, session: Session) -> HTMLResponse:
    return page(
        request,
        res,
        "message.html",
        session,
        403,
        title="Not for your role",
        message="Your role may not see this page.",
    )


def not_found(
    request: Request, res: Resources, session: Session, title: str, message: str
) -> HTMLResponse:
    return page(request, res, "message.html", session, 404, title=title, message=message)


async def form_fields(request: Request) -> dict[str, list[str]]:
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return parse_qs(body, keep_blank_values=True, max_num_fields=200)
    except ValueError:  # more fields than any console form has: treat as an empty form
        return {}


def one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def as_money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


templates.env.filters["money"] = as_money
templates.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=1)
