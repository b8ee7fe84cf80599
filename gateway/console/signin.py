"""Signing in to the console with an API key, and out again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.console.session import SessionCodec, csrf_ok
from gateway.console.web import REQUEST_VIEWERS, Res, S, codec, form_fields, one, page
from policies.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, res: Res, next: str = "/console") -> HTMLResponse:
    return page(
        request, res, "login.html", None, next=next if next.startswith("/console") else "/console"
    )


@router.post("/login")
async def login(request: Request, res: Res) -> Response:
    form = await form_fields(request)
    principal = res.keyring.authenticate(one(form, "api_key").strip())
    target = one(form, "next")
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
    form = await form_fields(request)
    if not csrf_ok(session, one(form, "csrf")):
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
    if role is Role.SALES or role not in REQUEST_VIEWERS:
        return RedirectResponse("/console/held", status_code=303)
    return RedirectResponse("/console/requests?status=pending", status_code=303)
