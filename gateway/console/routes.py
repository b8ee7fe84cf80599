"""The web console: server-rendered pages for sales reps, approvers and credit control."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from gateway.console import queries
from gateway.console.session import Session, SessionCodec, csrf_ok
from gateway.customers import repository as customers_repo
from gateway.db.engine import read_tx, write_tx
from gateway.errors import GatewayError
from gateway.resources import Resources, resources
from gateway.unfreeze import audit, service
from gateway.unfreeze import repository as unfreeze_repo
from gateway.unfreeze.schemas import UnfreezeIn
from policies import GradePolicy
from policies.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
Res = Annotated[Resources, Depends(resources)]
APPROVERS = set(service.APPROVERS)
CREDIT_CONTROL = {Role.FINANCE_MANAGER, Role.ADMIN, Role.GENERAL_MANAGER, Role.SALES_MANAGER}
AUDITORS = {Role.FINANCE_MANAGER, Role.ADMIN}
EXPLAIN = {
    "CREDIT_LIMIT_EXCEEDED": "The order would take the customer above the approved credit limit.",
    "OVERDUE": "The customer has invoices overdue beyond the tolerance of their grade.",
    "CUSTOMER_BLOCKED": "Credit control has blocked this customer.",
    "NO_CREDIT": "The customer has no credit (unknown, grade D or a zero limit): cash only.",
    "REVIEW_DATE_PASSED": "The customer's periodic credit review is overdue.",
    "ORDER_VALUE_EXCEEDED": "The order is larger than the grade allows for a single order.",
    "BALANCE_STALE": "The gateway's copy of the customer's balance is too old to rely on.",
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
            **context,
        },
        status_code=status,
    )


def _session(request: Request, res: Resources) -> Session | None:
    return codec(res).read(request)


class _Redirect(Exception):
    def __init__(self, to: str) -> None:
        self.to = to


def signed_in(request: Request, res: Res) -> Session:
    session = _session(request, res)
    if session is None:
        raise _Redirect(f"/console/login?next={quote(request.url.path)}")
    return session


S = Annotated[Session, Depends(signed_in)]


def install(app: Any) -> None:
    async def to_login(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, _Redirect)
        return RedirectResponse(exc.to, status_code=303)

    app.add_exception_handler(_Redirect, to_login)
    app.include_router(router)


def _forbidden(request: Request, res: Resources, session: Session) -> HTMLResponse:
    return page(
        request,
        res,
        "message.html",
        session,
        403,
        title="Not for your role",
        message="Your role may not see this page.",
    )


async def _form(request: Request) -> dict[str, list[str]]:
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return parse_qs(body, keep_blank_values=True, max_num_fields=200)
    except ValueError:  # more fields than any console form has: treat as an empty form
        return {}


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, res: Res, next: str = "/console") -> HTMLResponse:
    return page(
        request, res, "login.html", None, next=next if next.startswith("/console") else "/console"
    )


@router.post("/login")
async def login(request: Request, res: Res) -> Response:
    form = await _form(request)
    principal = res.keyring.authenticate(_one(form, "api_key").strip())
    target = _one(form, "next")
    if not target.startswith("/console"):
        target = "/console"
    if principal is None or principal.role is Role.ERP:
        message = (
            "ERP keys cannot sign in to the console." if principal else "That key is not valid."
        )
        return page(request, res, "login.html", None, 401, error=message, next=target)
    response = RedirectResponse(target, status_code=303)
    codec(res).issue(response, request, principal)
    return response


@router.post("/logout")
async def logout(request: Request, res: Res, session: S) -> Response:
    form = await _form(request)
    if not csrf_ok(session, _one(form, "csrf")):
        return page(
            request,
            res,
            "message.html",
            session,
            403,
            title="Expired form",
            message="The form was stale. Reload the page and try again.",
        )
    response = RedirectResponse("/console/login", status_code=303)
    SessionCodec.clear(response)
    return response


@router.get("", response_class=HTMLResponse)
def home(session: S) -> Response:
    role = session.principal.role
    if role is Role.SALES:
        return RedirectResponse("/console/held", status_code=303)
    return RedirectResponse("/console/requests?status=pending", status_code=303)


@router.get("/held", response_class=HTMLResponse)
def held(
    request: Request, res: Res, session: S, customer: str = "", erp: str = "", reason: str = ""
) -> HTMLResponse:
    with read_tx(res.engine) as conn:
        orders = queries.held_orders(
            conn, customer=customer[:64] or None, erp=erp[:32] or None, reason=reason[:32] or None
        )
    return page(
        request,
        res,
        "held.html",
        session,
        orders=orders,
        filters={"customer": customer, "erp": erp, "reason": reason},
    )


@router.get("/orders/{erp}/{order_id}", response_class=HTMLResponse)
def order(request: Request, res: Res, session: S, erp: str, order_id: str) -> HTMLResponse:
    with read_tx(res.engine) as conn:
        view = queries.order_view(conn, erp, order_id)
    if view is None:
        return page(
            request,
            res,
            "message.html",
            session,
            404,
            title="No such order",
            message=f"The gateway has never seen order {erp}/{order_id}.",
        )
    return page(request, res, "order.html", session, **view, form={}, error=None)


@router.post("/orders/{erp}/{order_id}/unfreeze", response_class=HTMLResponse)
async def request_unfreeze(
    request: Request, res: Res, session: S, erp: str, order_id: str
) -> Response:
    form = await _form(request)
    if session.principal.role is not Role.SALES:
        return _forbidden(request, res, session)
    error = None
    if not csrf_ok(session, _one(form, "csrf")):
        error = "The form was stale. Reload the page and try again."
    else:
        try:
            body = UnfreezeIn.model_validate(_unfreeze_body(form))
            with write_tx(res.engine) as conn:
                created = service.create_request(
                    conn, body, session.principal, res.unfreeze_context()
                )
            return RedirectResponse(f"/console/requests/{created['request_id']}", status_code=303)
        except ValidationError as exc:
            error = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
        except (GatewayError, InvalidOperation, ValueError) as exc:
            error = getattr(exc, "message", None) or str(exc)
    with read_tx(res.engine) as conn:
        view = queries.order_view(conn, erp, order_id)
    if view is None:
        return page(
            request,
            res,
            "message.html",
            session,
            404,
            title="No such order",
            message=f"The gateway has never seen order {erp}/{order_id}.",
        )
    return page(request, res, "order.html", session, 422, **view, form=form, error=error)


def _unfreeze_body(form: dict[str, list[str]]) -> dict[str, Any]:
    plan = []
    for due, amount in zip(form.get("due_date", []), form.get("amount", []), strict=False):
        if due.strip() or amount.strip():
            plan.append({"due_date": due.strip(), "amount": amount.strip()})
    return {
        "decision_id": _one(form, "decision_id"),
        "condition": _one(form, "condition"),
        "justification": _one(form, "justification"),
        "repayment_plan": plan or None,
    }


@router.get("/requests", response_class=HTMLResponse)
def requests_page(request: Request, res: Res, session: S, status: str = "") -> HTMLResponse:
    me = session.principal
    mine = me.name if me.role is Role.SALES else None
    ctx = res.unfreeze_context()
    wanted = status if status in {"pending", "approved", "rejected", "expired", "voided"} else None
    with write_tx(res.engine) as conn:
        for row in unfreeze_repo.list_requests(
            conn, status="pending", requester=mine, customer_id=None
        ):
            service.load(conn, row.request_id, ctx)  # lapse the expired ones first
        rows = unfreeze_repo.list_requests(conn, status=wanted, requester=mine, customer_id=None)
        views = [service.view(conn, r, me, ctx) for r in rows]
    if me.role in APPROVERS and wanted == "pending":
        # The queue for my role: requests that still need my role's approval.
        views = [
            v
            for v in views
            if me.role.value in v["required_roles"]
            and me.role.value not in {a["role"] for a in v["approvals"]}
        ]
    return page(request, res, "requests.html", session, requests=views, current=wanted)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, res: Res, session: S, request_id: str) -> HTMLResponse:
    return _render_request(request, res, session, request_id, None, 200)


def _render_request(
    request: Request,
    res: Resources,
    session: Session,
    request_id: str,
    error: str | None,
    status: int,
) -> HTMLResponse:
    ctx = res.unfreeze_context()
    try:
        with write_tx(res.engine) as conn:
            row = service.load(conn, request_id[:36], ctx)
            service.check_visible(row, session.principal)
            view = service.view(conn, row, session.principal, ctx)
            history = [
                audit.event_json(e) for e in audit.query(conn, erp=row.erp, order_id=row.order_id)
            ]
            now_view = queries.order_view(conn, row.erp, row.order_id)
    except GatewayError as exc:
        return page(
            request,
            res,
            "message.html",
            session,
            exc.status,
            title="Not available",
            message=exc.message,
        )
    can_decide = (
        session.principal.role.value in view["required_roles"]
        and view["status"] == "pending"
        and session.principal.name != view["requester"]
        and session.principal.role.value not in {a["role"] for a in view["approvals"]}
    )
    return page(
        request,
        res,
        "request.html",
        session,
        status,
        r=view,
        history=history,
        now=now_view["answer"]["exposure"] if now_view else None,
        can_decide=can_decide,
        error=error,
    )


@router.post("/requests/{request_id}/{action}", response_class=HTMLResponse)
async def decide(request: Request, res: Res, session: S, request_id: str, action: str) -> Response:
    form = await _form(request)
    if action not in ("approve", "reject") or session.principal.role not in APPROVERS:
        return _forbidden(request, res, session)
    if not csrf_ok(session, _one(form, "csrf")):
        return _render_request(
            request,
            res,
            session,
            request_id,
            "The form was stale. Reload the page and try again.",
            403,
        )
    try:
        with write_tx(res.engine) as conn:
            service.decide(
                conn,
                request_id[:36],
                session.principal,
                action,
                _one(form, "comment")[:2000],
                res.unfreeze_context(),
            )
    except GatewayError as exc:
        return _render_request(request, res, session, request_id, exc.message, exc.status)
    return RedirectResponse(f"/console/requests/{request_id}", status_code=303)


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, res: Res, session: S) -> HTMLResponse:
    if session.principal.role not in CREDIT_CONTROL:
        return _forbidden(request, res, session)
    with read_tx(res.engine) as conn:
        rows = queries.customers_list(conn)
    return page(request, res, "customers.html", session, customers=rows)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer(request: Request, res: Res, session: S, customer_id: str) -> HTMLResponse:
    if session.principal.role not in CREDIT_CONTROL:
        return _forbidden(request, res, session)
    today = res.clock().astimezone(res.config.timezone).date()
    with read_tx(res.engine) as conn:
        row = customers_repo.get_customer(conn, customer_id[:64])
        grade = res.config.policy.grades.get(row.grade, GradePolicy()) if row else GradePolicy()
        view = queries.customer_view(conn, customer_id[:64], today, grade.overdue_tolerance_days)
    if view is None:
        return page(
            request,
            res,
            "message.html",
            session,
            404,
            title="No such customer",
            message=f"Customer {customer_id} is unknown to the gateway.",
        )
    return page(request, res, "customer.html", session, **view)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, res: Res, session: S, day_from: str = "", day_to: str = ""
) -> HTMLResponse:
    if session.principal.role not in AUDITORS:
        return _forbidden(request, res, session)
    today = res.clock().date()
    start = _date(day_from) or today - timedelta(days=30)
    end = _date(day_to) or today
    with read_tx(res.engine) as conn:
        rows = audit.query(
            conn,
            since=datetime.combine(start, time.min, UTC),
            until=datetime.combine(end, time.min, UTC) + timedelta(days=1),
        )
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


def as_money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


templates.env.filters["money"] = as_money
templates.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=1)
