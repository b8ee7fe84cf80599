"""The credit controller's release button in the console (the API's
`POST /v1/unfreeze-requests/{id}/release`, same service)."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from gateway.console.i18n import N_
from gateway.console.request_page import render_request
from gateway.console.session import csrf_ok
from gateway.console.web import Res, S, forbidden, form_fields, one
from gateway.errors import GatewayError
from gateway.orders.notify import Released, notify_releases
from gateway.unfreeze import use_cases as unfreeze
from gateway.unfreeze.conditions import Conditions
from gateway.unfreeze.release import ReleaseContext
from policies.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False)


@router.post("/requests/{request_id}/release", response_class=HTMLResponse)
async def release(request: Request, res: Res, session: S, request_id: str) -> Response:
    """The credit controller's release button: as the API's, the ERP told after commit."""
    form = await form_fields(request)
    if session.principal.role is not Role.CREDIT_CONTROLLER:
        return forbidden(request, res, session)

    if not csrf_ok(session, one(form, "csrf")):
        stale = N_("The form was stale. Reload the page and try again.")
        return await to_thread.run_sync(
            render_request, request, res, session, request_id, stale, 403
        )
    reference = one(form, "bank_reference").strip()[:100] or None
    ctx = ReleaseContext(
        res.unfreeze_context(), res.check_context(), Conditions.from_config(res.config)
    )

    def record() -> Released:
        return unfreeze.release(res.uow, request_id[:36], session.principal, reference, ctx)[1]

    try:
        released = await to_thread.run_sync(record)
    except GatewayError as exc:
        return await to_thread.run_sync(
            render_request, request, res, session, request_id, exc.message, exc.status
        )
    return RedirectResponse(
        f"/console/requests/{request_id}",
        status_code=303,
        background=BackgroundTask(notify_releases, [released], res.erps),
    )
