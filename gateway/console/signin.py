"""Signing in to the console with an API key, and out again."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.auth import Principal
from gateway.console import service as console
from gateway.console.i18n import N_
from gateway.console.session import LIFETIME, LoginForms, Session, SessionCodec, csrf_ok
from gateway.console.throttle import LoginThrottle
from gateway.console.web import REQUEST_VIEWERS, Res, S, codec, form_fields, one, page
from gateway.resources import Resources
from policies.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, res: Res, next: str = "/console") -> HTMLResponse:
    return _login_page(request, res, 200, next=_inside(next))


@router.post("/login")
async def login(request: Request, res: Res) -> Response:
    address = request.client.host if request.client else ""
    now = res.clock().timestamp()
    throttle: LoginThrottle = request.app.state.login_throttle
    wait = throttle.retry_after(address, now)
    if wait is not None:
        message = f"Too many failed sign-ins from your address. Try again in {wait} seconds."
        refused = page(request, res, "message.html", None, 429, title=N_("Wait"), message=message)
        refused.headers["Retry-After"] = str(wait)
        return refused
    form = await form_fields(request)
    target = _inside(one(form, "next"))
    forms = LoginForms(res.settings.token_secret)
    if not forms.valid(request, one(form, "csrf")):
        # Shown afresh with a new token: a stale tab costs the user one retype.
        error = N_("The sign-in form had expired. Please sign in again.")
        return _login_page(request, res, 403, error=error, next=target)
    principal = res.keyring.authenticate(one(form, "api_key").strip())
    if principal is None or principal.role is Role.ERP:
        throttle.failed(address, now)
        message = (
            "ERP keys cannot sign in to the console." if principal else "That key is not valid."
        )
        return _login_page(request, res, 401, error=message, next=target)
    session_id = await to_thread.run_sync(_open_session, res, principal)
    response = RedirectResponse(target, status_code=303)
    codec(res).issue(response, request, session_id)
    LoginForms.forget(response)
    return response


def _inside(target: str) -> str:
    return target if target.startswith("/console") else "/console"


def _login_page(request: Request, res: Resources, status: int, **context: Any) -> HTMLResponse:
    forms = LoginForms(res.settings.token_secret)
    nonce = forms.nonce(request)
    response = page(request, res, "login.html", None, status, csrf=forms.token(nonce), **context)
    forms.remember(response, request, nonce)
    return response


@router.post("/logout")
async def logout(request: Request, res: Res, session: S) -> Response:
    form = await form_fields(request)
    if not csrf_ok(session, one(form, "csrf")):
        return page(
            request,
            res,
            "message.html",
            session,
            403,
            title=N_("Expired form"),
            message=N_("The form was stale. Reload the page and try again."),
        )
    # Server-side: a copy of the cookie kept from before is worthless from now on.
    await to_thread.run_sync(_revoke, res, session)
    response = RedirectResponse("/console/login", status_code=303)
    SessionCodec.clear(response)
    return response


def _open_session(res: Resources, principal: Principal) -> str:
    return console.open_session(res.uow, principal, res.clock(), LIFETIME)


def _revoke(res: Resources, session: Session) -> None:
    console.revoke_session(res.uow, session.session_id, res.clock())


@router.get("", response_class=HTMLResponse)
def home(session: S) -> Response:
    role = session.principal.role
    if role is Role.SALES or role not in REQUEST_VIEWERS:
        return RedirectResponse("/console/held", status_code=303)
    return RedirectResponse("/console/requests?status=pending", status_code=303)
