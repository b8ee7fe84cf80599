"""The console's plumbing: templates, the session dependency, form parsing, role sets."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from gateway.console import i18n
from gateway.console import service as console
from gateway.console.i18n import N_
from gateway.console.labels import EXPLAIN, label
from gateway.console.session import Session, SessionCodec
from gateway.errors import GatewayError
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
    locale = i18n.choose(request)
    # Rendered at once, below: the filters and `_()` read this request's locale.
    i18n.use(locale, res.config.timezone)
    return templates.TemplateResponse(
        request,
        name,
        {
            "locale": locale,
            "locales": i18n.LOCALES,
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
    principal = console.session_principal(res.uow, ticket.session_id, res.clock())
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
        title=N_("Not for your role"),
        message=N_("Your role may not see this page."),
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


templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)
templates.env.filters["money"] = i18n.money
templates.env.filters["figures"] = i18n.figures
templates.env.filters["when"] = i18n.when
templates.env.filters["day"] = i18n.day
templates.env.filters["label"] = label
templates.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=1)


_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")


def typed_amount(text: str) -> str:
    """An amount as people type it, the way every page shows them ("12,000.00"): the
    grouping commas go; anything else is left for the API's rules to judge."""
    text = text.strip().replace(" ", "")
    return text.replace(",", "") if _GROUPED.match(text) else text


def form_errors(exc: ValidationError, names: Mapping[str, str] | None = None) -> str:
    """What was wrong with the form, by the names its fields carry on the page (`names`:
    field -> its label, marked with `N_`), in the reader's language where known."""
    messages = []
    for error in exc.errors():
        where = [str(p) for p in error["loc"]]
        if where[:1] == ["repayment_plan"] and len(where) >= 3 and where[1].isdigit():
            field = "amount" if where[2] == "amount" else "due date"
            name = f"Installment {int(where[1]) + 1} {field}"
        elif names and ".".join(where) in names:
            name = i18n.gettext(names[".".join(where)])
        else:
            name = " ".join(where).replace("_", " ").capitalize() or "The form"
        text = str(error["msg"])
        if "valid decimal" in text:
            text = i18n.gettext(N_("write an amount such as 12,000.00 (digits, an optional point)"))
        messages.append(f"{name}: {text}")
    return "; ".join(messages)


def not_available(
    request: Request, res: Resources, session: Session, exc: GatewayError
) -> HTMLResponse:
    """A page for what the user may not see or that is gone: the error's status and its
    message, in place of the page asked for."""
    return page(
        request,
        res,
        "message.html",
        session,
        exc.status,
        title=N_("Not available"),
        message=exc.message,
    )
