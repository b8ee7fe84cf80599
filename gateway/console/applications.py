"""Console pages of credit applications: sales reps (and finance) file them with the
suggested limit and score shown as they type; approvers see the proposal against the
customer's figures now and decide; finance sees the reviews due."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from gateway.console import i18n
from gateway.console import service as console
from gateway.console.i18n import N_
from gateway.console.session import Session, csrf_ok
from gateway.console.web import (
    Res,
    S,
    forbidden,
    form_errors,
    form_fields,
    not_available,
    one,
    page,
    typed_amount,
)
from gateway.credit_applications import service
from gateway.credit_applications.routes import context
from gateway.credit_applications.schemas import ApplicationIn
from gateway.errors import GatewayError
from gateway.orders.notify import notify_releases
from gateway.resources import Resources
from policies import GradePolicy
from policies.credit_application import APPLICATION_APPROVERS
from policies.roles import OVERSEERS, Role

router = APIRouter(prefix="/console", include_in_schema=False)
FILERS = {Role.SALES, Role.CREDIT_CONTROLLER, Role.FINANCE_MANAGER}
READERS = {Role.SALES, Role.ADMIN, *APPLICATION_APPROVERS}
STATUSES = ("pending", "applied", "ratified", "rejected", "expired")
STALE = N_("The form was stale. Reload the page and try again.")
AMOUNTS = ("credit_limit", "forecast_monthly_sales")
FIELDS = {  # the form's fields as the page names them, for its error messages
    "customer_id": N_("Customer id"),
    "kind": N_("Kind"),
    "name": N_("Name"),
    "credit_limit": N_("Credit limit"),
    "currency": N_("Currency"),
    "grade": N_("Grade"),
    "payment_terms_days": N_("Payment terms (days)"),
    "payment_terms_basis": N_("Terms basis"),
    "forecast_monthly_sales": N_("Forecast monthly sales (VAT incl.)"),
    "review_date": N_("Review date (optional)"),
    "valid_until": N_("Temporary until (updates only)"),
    "justification": N_("Justification"),
    "score": N_("Score"),
}


@router.get("/applications", response_class=HTMLResponse)
def applications(request: Request, res: Res, session: S, status: str = "") -> HTMLResponse:
    me = session.principal
    if me.role not in READERS:
        return forbidden(request, res, session)
    wanted = status if status in STATUSES else None
    shown = service.applications(res.uow, me, context(res), wanted)
    if wanted == "pending" and me.role in APPLICATION_APPROVERS:
        shown = [a for a in shown if _can_decide(a, session)]  # my queue
    return page(
        request,
        res,
        "applications.html",
        session,
        applications=shown,
        current=wanted,
        statuses=STATUSES,
        may_file=me.role in FILERS,
    )


def _can_decide(a: dict[str, Any], session: Session) -> bool:
    me = session.principal
    done = {x["role"] for x in a["approvals"]}
    roles = a["required_roles"] if a["status"] == "pending" else a["awaiting_ratification"]
    return (
        a["status"] in ("pending", "applied")
        and me.role.value in roles
        and me.role.value not in done
        and me.name != a["requester"]
    )


@router.get("/applications/new", response_class=HTMLResponse)
def new_application(
    request: Request, res: Res, session: S, customer: str = "", kind: str = "new"
) -> HTMLResponse:
    if session.principal.role not in FILERS:
        return forbidden(request, res, session)
    form = {"kind": ["update" if kind == "update" else "new"]}
    if customer:
        form["customer_id"] = [customer[:64]]
    return _form(request, res, session, form)


def _form(
    request: Request,
    res: Resources,
    session: Session,
    form: dict[str, list[str]],
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    scorecard = res.config.raw.scorecard.scorecard()
    return page(
        request,
        res,
        "application_new.html",
        session,
        status,
        form=form,
        kind="update" if one(form, "kind") == "update" else "new",
        error=error,
        factors=dict(scorecard.factors),
        grades={g.value: v for g, v in scorecard.grades.items()},
        currencies=sorted({res.config.policy.fx.base, *res.config.policy.fx.rates}),
    )


def _body(form: dict[str, list[str]], factors: dict[str, int]) -> dict[str, Any]:
    body: dict[str, Any] = {
        k: one(form, k).strip()
        for k in (
            "customer_id",
            "kind",
            "name",
            "credit_limit",
            "currency",
            "grade",
            "review_date",
            "forecast_monthly_sales",
            "payment_terms_basis",
            "valid_until",
        )
    }
    body = {k: typed_amount(v) if k in AMOUNTS else v for k, v in body.items() if v}
    terms = one(form, "payment_terms_days").strip()
    body["payment_terms_days"] = int(terms) if terms.isdigit() else terms
    score = {}
    for factor in factors:
        points = one(form, f"score_{factor}").strip()
        if points:
            score[factor] = int(points) if points.isdigit() else points
    if score:
        body["score"] = score
    body["justification"] = one(form, "justification")
    return body


@router.post("/applications/new", response_class=HTMLResponse)
async def file_application(request: Request, res: Res, session: S) -> Response:
    form = await form_fields(request)
    if session.principal.role not in FILERS:
        return forbidden(request, res, session)
    if not csrf_ok(session, one(form, "csrf")):
        return await to_thread.run_sync(_form, request, res, session, form, STALE, 403)
    factors = dict(res.config.raw.scorecard.factors)
    try:
        body = ApplicationIn.model_validate(_body(form, factors))

        def create() -> dict[str, Any]:
            return service.file_application(res.uow, body, session.principal, context(res))

        created = await to_thread.run_sync(create)
    except ValidationError as exc:
        i18n.use(i18n.choose(request), res.config.timezone)  # the errors in the page's language
        error = form_errors(exc, FIELDS)
        return await to_thread.run_sync(_form, request, res, session, form, error, 422)
    except GatewayError as exc:
        return await to_thread.run_sync(_form, request, res, session, form, exc.message, exc.status)
    return RedirectResponse(f"/console/applications/{created['application_id']}", status_code=303)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application(request: Request, res: Res, session: S, application_id: str) -> HTMLResponse:
    if session.principal.role not in READERS:
        return forbidden(request, res, session)
    return _render(request, res, session, application_id[:36], None, 200)


def _render(
    request: Request,
    res: Resources,
    session: Session,
    application_id: str,
    error: str | None,
    status: int,
) -> HTMLResponse:
    ctx = context(res)
    try:
        a = service.application(res.uow, application_id, session.principal, ctx)
        grade = res.config.policy.grades.get(a["proposed"]["grade"], GradePolicy())
        now = console.customer_view(
            res.uow, a["customer_id"], ctx.today, grade.overdue_tolerance_days
        )
    except GatewayError as exc:
        return not_available(request, res, session, exc)
    return page(
        request,
        res,
        "application.html",
        session,
        status,
        a=a,
        now=now,
        can_decide=_can_decide(a, session),
        error=error,
    )


@router.post("/applications/{application_id}/{action}", response_class=HTMLResponse)
async def decide(
    request: Request,
    res: Res,
    session: S,
    application_id: str,
    action: str,
    background: BackgroundTasks,
) -> Response:
    form = await form_fields(request)
    if action not in ("approve", "reject") or session.principal.role not in APPLICATION_APPROVERS:
        return forbidden(request, res, session)
    aid = application_id[:36]
    if not csrf_ok(session, one(form, "csrf")):
        return await to_thread.run_sync(_render, request, res, session, aid, STALE, 403)

    def record() -> None:
        comment = one(form, "comment")[:2000]
        _, released = service.decide(res.uow, aid, session.principal, action, comment, context(res))
        if released:
            notify_later.append(released)

    notify_later: list[Any] = []
    try:
        await to_thread.run_sync(record)
    except GatewayError as exc:
        return await to_thread.run_sync(
            _render, request, res, session, aid, exc.message, exc.status
        )
    for released in notify_later:
        background.add_task(notify_releases, released, res.erps)
    return RedirectResponse(f"/console/applications/{aid}", status_code=303)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_due(request: Request, res: Res, session: S, within_days: str = "30") -> HTMLResponse:
    if session.principal.role not in OVERSEERS:
        return forbidden(request, res, session)
    days = int(within_days) if within_days.isdigit() and int(within_days) <= 3650 else 30
    due = service.reviews_due(res.uow, res.config.policy, context(res), days)
    return page(request, res, "reviews.html", session, customers=due, within_days=days)


@router.get("/drift", response_class=HTMLResponse)
def drift(request: Request, res: Res, session: S) -> HTMLResponse:
    """Customers whose credit fields differ from what their last applied application
    granted (the ERP changed them), or that have credit no application granted."""
    if session.principal.role not in OVERSEERS:
        return forbidden(request, res, session)
    found = service.drift(res.uow, context(res))
    owner = res.config.raw.master_data.owner
    return page(request, res, "drift.html", session, drifted=found, owner=owner)
