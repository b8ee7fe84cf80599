"""The web console: server-rendered pages for sales reps and approvers (held orders,
unfreeze requests); credit control's customer and audit pages are in `control.py`."""

from __future__ import annotations

from datetime import date
from decimal import InvalidOperation
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from gateway import audit
from gateway.console import i18n
from gateway.console import service as console
from gateway.console.applications import router as applications_router
from gateway.console.control import router as control_router
from gateway.console.held import router as held_router
from gateway.console.i18n import N_
from gateway.console.lab import router as lab_router
from gateway.console.portfolio import router as portfolio_router
from gateway.console.release import router as release_router
from gateway.console.request_page import overdue_rules, render_request
from gateway.console.session import Session, csrf_ok
from gateway.console.signin import router as signin_router
from gateway.console.throttle import LoginThrottle
from gateway.console.web import (
    APPROVERS,
    REQUEST_VIEWERS,
    Redirect,
    Res,
    S,
    forbidden,
    form_errors,
    form_fields,
    not_found,
    one,
    page,
    typed_amount,
)
from gateway.errors import GatewayError
from gateway.resources import Resources
from gateway.unfreeze import archive
from gateway.unfreeze import use_cases as unfreeze
from gateway.unfreeze.schemas import UnfreezeIn
from policies.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False)
STATUSES = ("pending", "approved", "released", "rejected", "expired", "voided")


def archive_window(day_from: str, day_to: str) -> tuple[Any, Any]:
    """The archive's days, as the API takes them; an unreadable day is left out."""

    def day(text: str) -> date | None:
        try:
            return date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            return None

    return audit.day_window(day(day_from), day(day_to))


def install(app: FastAPI) -> None:
    async def to_login(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, Redirect)
        return RedirectResponse(exc.to, status_code=303)

    app.add_exception_handler(Redirect, to_login)
    # Failed sign-ins per client address, in this process: the console's own state,
    # built with the app (Resources holds infrastructure only).
    app.state.login_throttle = LoginThrottle()
    app.include_router(signin_router)
    # Before `router`: its /requests/{id}/{action} would take /release too.
    app.include_router(release_router)
    app.include_router(router)
    app.include_router(control_router)
    app.include_router(held_router)
    app.include_router(applications_router)
    app.include_router(lab_router)
    app.include_router(portfolio_router)

    # People type the host's address: `/` is the console's door. Registered last, the
    # catch-all answers an unknown console address with a page, not the API's JSON.
    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/console", status_code=307)

    @app.get("/console/{unknown:path}", include_in_schema=False)
    def unknown_page(request: Request, res: Res, unknown: str) -> HTMLResponse:
        return page(
            request,
            res,
            "message.html",
            None,
            404,
            title=N_("Page not found"),
            message=f"There is no console page at /console/{unknown}.",
        )


@router.get("/lang")
def switch_language(to: str = "", next: str = "/console") -> RedirectResponse:
    """The language switch: kept in a cookie, so it outlives the session; no sign-in
    needed (the sign-in page is read in it too)."""
    target = next if next.startswith("/console") and "//" not in next else "/console"
    response = RedirectResponse(target, status_code=303)
    if to in i18n.LOCALES:
        response.set_cookie(
            i18n.COOKIE, to, max_age=365 * 86400, httponly=True, samesite="lax", path="/console"
        )
    return response


@router.get("/orders/{erp}/{order_id}", response_class=HTMLResponse)
def order(request: Request, res: Res, session: S, erp: str, order_id: str) -> HTMLResponse:
    return _order_page(request, res, session, erp, order_id)


def _order_page(
    request: Request,
    res: Resources,
    session: Session,
    erp: str,
    order_id: str,
    status: int = 200,
    form: dict[str, list[str]] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    view = console.order_view(res.uow, erp, order_id, *overdue_rules(res))
    if view is None:
        return not_found(
            request,
            res,
            session,
            N_("No such order"),
            f"The gateway has never seen order {erp}/{order_id}.",
        )
    return page(request, res, "order.html", session, status, **view, form=form or {}, error=error)


@router.post("/orders/{erp}/{order_id}/unfreeze", response_class=HTMLResponse)
async def request_unfreeze(
    request: Request, res: Res, session: S, erp: str, order_id: str
) -> Response:
    form = await form_fields(request)
    if session.principal.role is not Role.SALES:
        return forbidden(request, res, session)
    error = None
    if not csrf_ok(session, one(form, "csrf")):
        error = N_("The form was stale. Reload the page and try again.")
    else:
        try:
            body = UnfreezeIn.model_validate(_unfreeze_body(form))

            def create() -> dict[str, Any]:
                return unfreeze.file_request(
                    res.uow, body, session.principal, res.unfreeze_context()
                )

            created = await to_thread.run_sync(create)
            return RedirectResponse(f"/console/requests/{created['request_id']}", status_code=303)
        except ValidationError as exc:
            error = form_errors(exc)
        except (GatewayError, InvalidOperation, ValueError) as exc:
            error = getattr(exc, "message", None) or str(exc)
    # On a thread, as FastAPI runs the page's GET: it reads the database.
    return await to_thread.run_sync(
        _order_page, request, res, session, erp, order_id, 422, form, error
    )


def _unfreeze_body(form: dict[str, list[str]]) -> dict[str, Any]:
    plan = []
    for due, amount in zip(form.get("due_date", []), form.get("amount", []), strict=False):
        if due.strip() or amount.strip():
            plan.append({"due_date": due.strip(), "amount": typed_amount(amount)})
    return {
        "decision_id": one(form, "decision_id"),
        "condition": one(form, "condition"),
        "justification": one(form, "justification"),
        "repayment_plan": plan or None,
    }


@router.get("/requests", response_class=HTMLResponse)
def requests_page(
    request: Request,
    res: Res,
    session: S,
    status: str = "",
    day_from: str = "",
    day_to: str = "",
    fmt: str = "",
) -> Response:
    me = session.principal
    if me.role not in REQUEST_VIEWERS:
        return forbidden(request, res, session)
    mine = me.name if me.role is Role.SALES else None
    ctx = res.unfreeze_context()
    wanted = status if status in STATUSES else None
    since, until = archive_window(day_from, day_to)
    shown = console.unfreeze_requests(
        res.uow, me, ctx, status=wanted, requester=mine, since=since, until=until
    )
    if fmt == "csv":
        return Response(archive.to_csv(shown), media_type="text/csv; charset=utf-8")
    if me.role in APPROVERS and wanted == "pending":
        # The queue for my role: requests that still need my role's approval.
        shown = [
            v
            for v in shown
            if me.role.value in v["required_roles"]
            and me.role.value not in {a["role"] for a in v["approvals"]}
        ]
    return page(
        request,
        res,
        "requests.html",
        session,
        requests=shown,
        current=wanted,
        statuses=STATUSES,
        day_from=day_from if since else "",
        day_to=day_to if until else "",
    )


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, res: Res, session: S, request_id: str, done: str = ""
) -> HTMLResponse:
    if session.principal.role not in REQUEST_VIEWERS:
        return forbidden(request, res, session)
    return render_request(request, res, session, request_id, None, 200, done)


@router.post("/requests/{request_id}/{action}", response_class=HTMLResponse)
async def decide(request: Request, res: Res, session: S, request_id: str, action: str) -> Response:
    form = await form_fields(request)
    if action not in ("approve", "reject") or session.principal.role not in APPROVERS:
        return forbidden(request, res, session)
    if not csrf_ok(session, one(form, "csrf")):
        stale = N_("The form was stale. Reload the page and try again.")
        return await to_thread.run_sync(
            render_request, request, res, session, request_id, stale, 403
        )

    def record() -> None:
        console.decide_request(
            res.uow,
            request_id[:36],
            session.principal,
            action,
            one(form, "comment")[:2000],
            res.unfreeze_context(),
        )

    try:
        await to_thread.run_sync(record)
    except GatewayError as exc:
        return await to_thread.run_sync(
            render_request, request, res, session, request_id, exc.message, exc.status
        )
    return RedirectResponse(f"/console/requests/{request_id}?done={action}", status_code=303)
