"""`GET /v1/portfolio`: the credit portfolio in the FX base currency."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from gateway.auth import Principal, require
from gateway.balances.schemas import CommitteeDecisionOut
from gateway.errors import Conflict, InvalidInput
from gateway.http import ExactJSONRoute
from gateway.portfolio import committee, service
from gateway.portfolio.schemas import CommitteeDecisionsOut, CommitteeReportOut, PortfolioOut
from gateway.resources import Resources, resources
from gateway.schemas import IDENTIFIER_PATTERN, DateOnly, RequestModel
from policies.committee import DECISION_KINDS, BadMonth, Month, parse_month
from policies.money import UnsupportedCurrencyError
from policies.roles import OVERSEERS

MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"
router = APIRouter(prefix="/v1", tags=["portfolio"], route_class=ExactJSONRoute)
Res = Annotated[Resources, Depends(resources)]
reader = require(*OVERSEERS)


@router.get("/portfolio", response_model=PortfolioOut)
def get_portfolio(res: Res, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
    """Every customer's limit, exposure and aging summed in the FX base currency, the
    portfolio's DSO (intercompany customers left out), held orders and the lists the
    committee looks at."""
    now = res.clock()
    today = now.astimezone(res.config.timezone).date()
    try:
        return service.current_portfolio(res.uow, res.config, res.fx_rates, today, now)
    except UnsupportedCurrencyError as exc:
        raise no_rate(exc) from None


# JSON by its model, or a CSV download (`Accept: text/csv`): its media type is declared.
@router.get(
    "/reports/credit-committee",
    response_model=CommitteeReportOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_committee_report(
    request: Request,
    res: Res,
    _: Annotated[Principal, Depends(reader)],
    month: Annotated[str, Query(min_length=1, max_length=7)],
) -> dict[str, Any] | Response:
    """Every customer's limit, terms, grade, exposure, aging, DSO of the month, overdue
    over 6 months, holds and unfreezes of the month and review; `Accept: text/csv`
    answers a CSV, one row per customer."""
    now = res.clock()
    today = now.astimezone(res.config.timezone).date()
    try:
        chosen = parse_month(month, today)
    except BadMonth as exc:
        raise InvalidInput(
            str(exc), code="INVALID_MONTH", details=[{"field": "query.month", "message": str(exc)}]
        ) from exc
    try:
        report = committee.report_for(res.uow, res.config, res.fx_rates, chosen, today)
    except UnsupportedCurrencyError as exc:
        raise no_rate(exc) from None
    if "text/csv" in request.headers.get("accept", ""):
        return Response(
            committee.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="credit-committee-{chosen.label}.csv"'
            },
        )
    return report


class DecisionIn(RequestModel):
    customer_id: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)
    month: str = Field(
        min_length=1,
        max_length=7,
        description="YYYY-MM, not after the current month",
        json_schema_extra={"pattern": MONTH_PATTERN},
    )
    kind: str = Field(max_length=32, json_schema_extra={"enum": list(DECISION_KINDS)})
    note: str = Field(
        default="",
        max_length=2000,
        description="required, not blank",
        json_schema_extra={"pattern": r"\S"},
    )
    until: DateOnly | None = None


@router.post(
    "/reports/credit-committee/decisions",
    status_code=201,
    response_model=CommitteeDecisionOut,
)
def post_committee_decision(
    body: DecisionIn, res: Res, who: Annotated[Principal, Depends(reader)]
) -> dict[str, Any]:
    """Record what the committee decided for a customer in a month: `stop_shipments`
    blocks the customer until its overdue is paid, `term_change` and `extension` are
    noted (an extension with an optional `until`)."""
    now = res.clock()
    month = _month(body.month, now.astimezone(res.config.timezone).date(), "body.month")
    return committee.decide(
        res.uow,
        customer_id=body.customer_id,
        month=month,
        kind=body.kind,
        note=body.note,
        until=body.until,
        who=who,
        now=now,
    )


@router.get("/reports/credit-committee/decisions", response_model=CommitteeDecisionsOut)
def get_committee_decisions(
    res: Res,
    _: Annotated[Principal, Depends(reader)],
    month: Annotated[str, Query(min_length=1, max_length=7)],
) -> dict[str, Any]:
    """The committee's decisions of a month, oldest first."""
    chosen = _month(month, res.clock().astimezone(res.config.timezone).date(), "query.month")
    return {"month": chosen.label, "decisions": committee.decisions(res.uow, chosen)}


def _month(text: str, today: date, field: str) -> Month:
    try:
        return parse_month(text, today)
    except BadMonth as exc:
        raise InvalidInput(
            str(exc), code="INVALID_MONTH", details=[{"field": field, "message": str(exc)}]
        ) from exc


def no_rate(exc: UnsupportedCurrencyError) -> Conflict:
    """A customer's credit currency lost its rate (the config changed): 409, not a 500."""
    return Conflict(str(exc), code="FX_RATE_MISSING")
