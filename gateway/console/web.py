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

from gateway.console import i18n, repository
from gateway.console.i18n import N_
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
    "CREDIT_LIMIT_EXCEEDED": N_(
        "The order would take the customer above the approved credit limit."
    ),
    "OVERDUE": N_("The customer has invoices overdue beyond the tolerance of their grade."),
    "CUSTOMER_BLOCKED": N_("Credit control has blocked this customer."),
    "NO_CREDIT": N_("The customer has no credit (unknown, grade D or a zero limit): cash only."),
    "REVIEW_DATE_PASSED": N_("The customer's periodic credit review is overdue."),
    "ORDER_VALUE_EXCEEDED": N_("The order is larger than the grade allows for a single order."),
    "BALANCE_STALE": N_("The gateway's copy of the customer's balance is too old to rely on."),
    "OVERRIDE_REJECTED": N_("An override token was sent but did not apply."),
    "GROUP_LIMIT_EXCEEDED": N_(
        "The order would take the customer's credit group above the group's shared limit."
    ),
    "PAYMENT_NOT_CONFIRMED": N_(
        "A payment in transit named at a release has not shown up in time."
    ),
    "REPAYMENT_PLAN_BROKEN": N_("An installment of the customer's repayment plan is past due."),
    "TERMS_EXCEED_APPROVED": N_(
        "The order's payment terms are longer than the customer's approved terms."
    ),
    # credit application warnings (seed 004 §4.2)
    "NEW_CUSTOMER_CREDIT": N_(
        "New customers start at zero credit and get credit after about three months of good "
        "cash trading."
    ),
    "TERMS_ABOVE_AUTHORITY": N_("The proposed terms are above the company's maximum terms."),
    "ABOVE_SUGGESTED_LIMIT": N_("The proposed limit is above the suggested limit."),
    "GRADE_ABOVE_SCORE": N_("The proposed grade is better than the score supports."),
}
# What people read instead of codes (a code missing here is shown as words).
LABELS = {
    # reasons and warnings
    "CREDIT_LIMIT_EXCEEDED": N_("Over credit limit"),
    "OVERDUE": N_("Overdue invoices"),
    "CUSTOMER_BLOCKED": N_("Customer blocked"),
    "NO_CREDIT": N_("No credit"),
    "REVIEW_DATE_PASSED": N_("Credit review overdue"),
    "ORDER_VALUE_EXCEEDED": N_("Order too large for grade"),
    "BALANCE_STALE": N_("Balance out of date"),
    "OVERRIDE_REJECTED": N_("Override refused"),
    "LIMIT_NEARLY_USED": N_("Limit nearly used"),
    "GROUP_LIMIT_EXCEEDED": N_("Over credit group limit"),
    "PAYMENT_NOT_CONFIRMED": N_("Payment not confirmed"),
    "REPAYMENT_PLAN_BROKEN": N_("Repayment plan broken"),
    "REPAYMENT_PLAN_BEHIND": N_("Repayment plan behind"),
    "TERMS_EXCEED_APPROVED": N_("Terms beyond the approved"),
    "NEW_CUSTOMER_CREDIT": N_("Credit for a new customer"),
    "TERMS_ABOVE_AUTHORITY": N_("Terms above authority"),
    "ABOVE_SUGGESTED_LIMIT": N_("Above the suggested limit"),
    "GRADE_ABOVE_SCORE": N_("Grade better than the score"),
    # credit applications
    "new": N_("New customer"),
    "update": N_("Change of limit or terms"),
    "applied": N_("Applied, awaiting ratification"),
    "ratified": N_("Ratified"),
    "approve": N_("Approval"),
    "ratify": N_("Ratification"),
    "month_end": N_("Month end"),
    "due": N_("Due"),
    "overdue": N_("Overdue"),
    "missing": N_("No review date"),
    "current": N_("Not yet due"),
    "over_180": N_("Over 180 days"),
    # scorecard factors
    "debt_ratio": N_("Debt ratio"),
    "current_ratio": N_("Current ratio"),
    "quick_ratio": N_("Quick ratio"),
    "receivable_turnover": N_("Receivable turnover"),
    "profitability": N_("Profitability"),
    "payment_history": N_("Payment history"),
    "reputation": N_("Reputation"),
    "management": N_("Management"),
    "industry_outlook": N_("Industry outlook"),
    # remedies (what would release a held order)
    "reduce_order": N_("A smaller order"),
    "pay_overdue": N_("Payment of these items"),
    "prepay": N_("A deposit"),
    # roles
    "erp": N_("ERP"),
    "sales": N_("Sales rep"),
    "sales_manager": N_("Sales manager"),
    "finance_manager": N_("Finance manager"),
    "general_manager": N_("General manager"),
    "credit_controller": N_("Credit controller"),
    "cfo": N_("CFO"),
    "admin": N_("Administrator"),
    # statuses and outcomes
    "pending": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "expired": N_("Expired"),
    "voided": N_("Voided"),
    "released": N_("Released"),
    "release": N_("Released"),
    "hold": N_("Held"),
    "held": N_("Held"),
    "cancelled": N_("Cancelled"),
    "issued": N_("Issued"),
    "redeemed": N_("Used"),
    "revoked": N_("Revoked"),
    # unfreeze conditions (seed 004 4.1)
    "paid_overdue": N_("(A) Overdue amounts have been paid"),
    "repayment_plan": N_("(B) Formal repayment plan"),
    "other": N_("(C) Other reason"),
    # audit events
    "request_created": N_("Unfreeze requested"),
    "request_approved": N_("Approved"),
    "request_rejected": N_("Rejected"),
    "request_expired": N_("Expired"),
    "token_issued": N_("Token issued"),
    "token_revoked": N_("Token revoked"),
    "token_redeemed": N_("Token used"),
    "token_rejected": N_("Token refused"),
    "snapshot_forced": N_("Balance snapshot forced"),
    "request_released": N_("Released by the credit controller"),
    "master_data_changed": N_("Master data changed"),
    "credit_group_changed": N_("Credit group changed"),
    "fx_rates_changed": N_("Exchange rates changed"),
    # open items
    "invoice": N_("Invoice"),
    "note": N_("Note receivable"),
    "prepayment": N_("Prepayment"),
    "credit_note": N_("Credit note"),
}


def label(code: Any) -> str:
    """A code as people read it, in the reader's language."""
    text = str(getattr(code, "value", code))
    known = LABELS.get(text)
    return i18n.gettext(known) if known else text.replace("_", " ").capitalize()


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
