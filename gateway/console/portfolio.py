"""The credit portfolio and the committee's monthly report as pages: charts drawn by the
server (gateway.console.charts) and a printable report with its CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.console import charts
from gateway.console.i18n import N_
from gateway.console.session import csrf_ok
from gateway.console.web import Res, S, forbidden, form_fields, one, page
from gateway.errors import GatewayError
from gateway.portfolio import committee
from gateway.portfolio import service as portfolio_service
from gateway.resources import Resources
from policies.aging import LABELS
from policies.committee import DECISION_KINDS, BadMonth, parse_month, previous_month
from policies.dso import complete_months
from policies.money import UnsupportedCurrencyError
from policies.portfolio import dso_trend, held_by_age
from policies.roles import OVERSEERS

router = APIRouter(prefix="/console", include_in_schema=False)
READERS = set(OVERSEERS)
TREND_MONTHS = 6


def _now(res: Resources) -> tuple[Any, date]:
    now = res.clock()
    return now, now.astimezone(res.config.timezone).date()


def _no_rate(request: Request, res: Resources, session: Any) -> HTMLResponse:
    return page(
        request,
        res,
        "message.html",
        session,
        409,
        title=N_("Exchange rate missing"),
        message=N_("A customer's credit currency has no exchange rate in the configuration."),
    )


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, res: Res, session: S) -> HTMLResponse:
    if session.principal.role not in READERS:
        return forbidden(request, res, session)
    try:
        return _portfolio_page(request, res, session)
    except UnsupportedCurrencyError:
        return _no_rate(request, res, session)


def _portfolio_page(request: Request, res: Resources, session: Any) -> HTMLResponse:
    now, today = _now(res)
    vat = res.config.raw.reports.vat_factor
    # Sales of the trend's months and the 2 before the oldest.
    months = complete_months(today, TREND_MONTHS + 2)
    read = portfolio_service.portfolio_history(
        res.uow, res.config, res.fx_rates, today, now, months
    )
    view = read.view
    aging = view["aging"]
    trend = dso_trend(read.figures, today, TREND_MONTHS, vat)
    top = view["top_exposures"]
    ages = held_by_age(read.held, now)
    return page(
        request,
        res,
        "portfolio.html",
        session,
        view=view,
        labels=list(LABELS),
        aging_chart=charts.bars(
            list(LABELS),
            [
                ("receivables", [Decimal(aging["receivables"][b]) for b in LABELS]),
                ("notes", [Decimal(aging["notes"][b]) for b in LABELS]),
            ],
        ),
        dso_chart=charts.line([m for m, _ in trend], [v for _, v in trend], "dso"),
        exposure_chart=charts.bars(
            [t["customer_id"] for t in top[:8]],
            [
                ("credit_limit", [Decimal(t["credit_limit"]) for t in top[:8]]),
                ("exposure", [Decimal(t["exposure"]) for t in top[:8]]),
            ],
        ),
        held_chart=charts.bars([a for a, _, _ in ages], [("held_amount", [a for _, _, a in ages])]),
        held_ages=ages,
        trend=trend,
    )


@router.get("/reports/credit-committee", response_model=None)
def committee_page(
    request: Request, res: Res, session: S, month: str = "", format: str = ""
) -> Response:
    if session.principal.role not in READERS:
        return forbidden(request, res, session)
    _, today = _now(res)
    error = ""
    try:
        chosen = (
            parse_month(month, today)
            if month
            else previous_month(parse_month(today.strftime("%Y-%m"), today))
        )
    except BadMonth:
        error = month[:20]
        chosen = previous_month(parse_month(today.strftime("%Y-%m"), today))
    try:
        report = _report(res, chosen, today)
    except UnsupportedCurrencyError:
        return _no_rate(request, res, session)
    if format == "csv" and not error:
        return Response(
            committee.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="credit-committee-{chosen.label}.csv"'
            },
        )
    return _committee_page(request, res, session, report, 422 if error else 200, bad_month=error)


def _committee_page(
    request: Request,
    res: Resources,
    session: Any,
    report: dict[str, Any],
    status: int,
    **extra: Any,
) -> HTMLResponse:
    for c in report["customers"]:
        aging = c["aging"]
        c["aging_total"] = {
            b: str(Decimal(aging["receivables"][b]) + Decimal(aging["notes"][b])) for b in LABELS
        }
    return page(
        request,
        res,
        "committee.html",
        session,
        status,
        report=report,
        labels=list(LABELS),
        kinds=DECISION_KINDS,
        may_decide=session.principal.role in READERS,
        **{"bad_month": "", "form": {}, "decision_error": None, **extra},
    )


@router.post("/reports/credit-committee/decisions", response_model=None)
async def record_decision(request: Request, res: Res, session: S) -> Response:
    """The committee's decision for a customer, from the report page's form."""
    form = {k: one(await form_fields(request), k) for k in FORM_FIELDS}
    if session.principal.role not in READERS:
        return forbidden(request, res, session)
    now, today = _now(res)
    try:
        chosen = parse_month(form["month"], today)
    except BadMonth:
        chosen = previous_month(parse_month(today.strftime("%Y-%m"), today))
        error: str | None = N_("Choose a month that has begun.")
    else:
        error = None
    if error is None and not csrf_ok(session, form["csrf"]):
        error = N_("The form was stale. Reload the page and try again.")
    if error is None:
        try:
            until = date.fromisoformat(form["until"]) if form["until"].strip() else None

            def store() -> None:
                committee.decide(
                    res.uow,
                    customer_id=form["customer_id"][:64],
                    month=chosen,
                    kind=form["kind"],
                    note=form["note"],
                    until=until,
                    who=session.principal,
                    now=now,
                )

            await to_thread.run_sync(store)
            return RedirectResponse(
                f"/console/reports/credit-committee?month={chosen.label}", status_code=303
            )
        except ValueError:
            error = N_("The date must be YYYY-MM-DD.")
        except GatewayError as exc:
            error = DECISION_ERRORS.get(exc.code, exc.message)

    def again() -> HTMLResponse:
        report = _report(res, chosen, today)
        return _committee_page(request, res, session, report, 422, form=form, decision_error=error)

    try:
        return await to_thread.run_sync(again)
    except UnsupportedCurrencyError:
        return _no_rate(request, res, session)


FORM_FIELDS = ("csrf", "customer_id", "month", "kind", "note", "until")
DECISION_ERRORS = {
    "COMMENT_REQUIRED": N_("The committee's decision needs a note."),
    "CUSTOMER_NOT_FOUND": N_("Choose a customer of the report."),
    "INVALID_DECISION_KIND": N_("Choose what the committee decided."),
}


def _report(res: Resources, chosen: Any, today: date) -> dict[str, Any]:
    return committee.report_for(res.uow, res.config, res.fx_rates, chosen, today)
