"""Filing a credit application inside the transaction given: the proposal against the
customer as it stands, the roles that must approve it, the suggested limit, the score and
the warnings."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway import audit
from gateway.auth import Principal
from gateway.config import LoadedConfig
from gateway.credit_applications import repository as repo
from gateway.credit_applications import views
from gateway.credit_applications.records import ApplicationRecord
from gateway.credit_applications.schemas import ApplicationIn
from gateway.customers import repository as customers_repo
from gateway.customers.records import CustomerRecord
from gateway.customers.service import money_str
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.orders.context import CheckContext
from gateway.validation import require_currency, require_precision
from policies import FxRates, Grade, UnsupportedCurrencyError
from policies.credit_application import (
    ApplicationMatrix,
    ApplicationStatus,
    Kind,
    Scorecard,
    ScoreError,
    Terms,
    TermsBasis,
    default_review_date,
    suggested_limit,
    warnings_for,
)


@dataclass(frozen=True)
class ApplicationContext:
    matrix: ApplicationMatrix
    scorecard: Scorecard
    fx: FxRates
    now: datetime
    today: date
    expire_after: timedelta
    max_terms_days: int
    review_months: Mapping[Grade, int]
    check: CheckContext  # re-evaluating held orders once a change applies


def context_of(config: LoadedConfig, check: CheckContext) -> ApplicationContext:
    """The running config's [credit_approval] and scorecard, at the check's moment."""
    section = config.raw.credit_approval
    return ApplicationContext(
        matrix=section.matrix(),
        scorecard=config.raw.scorecard.scorecard(),
        fx=config.policy.fx,
        now=check.now,
        today=check.now.astimezone(config.timezone).date(),
        expire_after=timedelta(days=section.expire_after_days),
        max_terms_days=section.max_terms_days,
        review_months=section.review_months,
        check=check,
    )


def terms_of(row: CustomerRecord) -> Terms:
    return Terms(row.credit_limit, row.currency, row.payment_terms_days, Grade(row.grade))


def current_of(row: CustomerRecord) -> dict[str, Any]:
    return {
        "name": row.name,
        "credit_limit": money_str(row.credit_limit, row.currency),
        "currency": row.currency,
        "payment_terms_days": row.payment_terms_days,
        "grade": row.grade,
        "review_date": row.review_date.isoformat() if row.review_date else None,
        "blocked": bool(row.blocked),
        "temporary_until": row.temporary_until.isoformat() if row.temporary_until else None,
    }


def _invalid(field: str, message: str, code: str = "VALIDATION_ERROR") -> InvalidInput:
    return InvalidInput(
        f"{field}: {message}", code=code, details=[{"field": field, "message": message}]
    )


def create(
    conn: Connection, body: ApplicationIn, who: Principal, ctx: ApplicationContext
) -> dict[str, Any]:
    require_currency(body.currency, "body.currency", ctx.fx, ctx.fx.base)
    require_precision(body.credit_limit, body.currency, "body.credit_limit")
    if body.forecast_monthly_sales is not None:
        require_precision(body.forecast_monthly_sales, body.currency, "body.forecast_monthly_sales")
    kind = Kind(body.kind)
    customer = customers_repo.get_customer(conn, body.customer_id)
    proposed = Terms(body.credit_limit, body.currency, body.payment_terms_days, body.grade)
    if kind is Kind.NEW:
        if customer is not None and customer.credit_limit > 0:
            raise Conflict(
                f"customer {body.customer_id} exists with a limit: file an update",
                code="CUSTOMER_EXISTS",
            )
        if body.valid_until is not None:
            raise _invalid("body.valid_until", "a temporary limit is an update's")
        name = body.name or (customer.name if customer is not None else body.customer_id)
        review = body.review_date
    else:
        if customer is None:
            raise NotFound(f"customer {body.customer_id} is unknown", code="CUSTOMER_NOT_FOUND")
        name = body.name or customer.name
        review = body.review_date if "review_date" in body.model_fields_set else None
        review = review or customer.review_date
        if body.valid_until is not None:
            if body.valid_until < ctx.today:
                raise _invalid("body.valid_until", "must be today or later")
            if body.currency != customer.currency or body.credit_limit <= customer.credit_limit:
                raise _invalid(
                    "body.valid_until",
                    "a temporary limit raises the current limit, in its currency",
                )
    if review is None:
        review = default_review_date(ctx.today, body.grade, ctx.review_months)
    current = terms_of(customer) if customer is not None else None
    try:
        converted: Decimal | None = ctx.fx.convert(
            body.credit_limit, body.currency, ctx.matrix.escalation_currency
        )
    except UnsupportedCurrencyError:
        converted = None  # no rate: the larger approval is taken
    required, ratify = ctx.matrix.roles_for(kind, current, proposed, converted)
    basis = TermsBasis(body.payment_terms_basis)
    suggested = (
        suggested_limit(body.forecast_monthly_sales, body.payment_terms_days, basis, body.currency)
        if body.forecast_monthly_sales is not None
        else None
    )
    score_total, score_grade = _score(body, ctx.scorecard)
    findings = warnings_for(kind, proposed, basis, suggested, score_grade, ctx.max_terms_days)
    application_id = str(uuid.uuid4())
    proposal = {
        "name": name,
        "credit_limit": money_str(body.credit_limit, body.currency),
        "currency": body.currency,
        "payment_terms_days": body.payment_terms_days,
        "payment_terms_basis": basis.value,
        "grade": body.grade.value,
        "review_date": review.isoformat(),
        "valid_until": body.valid_until.isoformat() if body.valid_until else None,
    }
    repo.insert_application(
        conn,
        {
            "application_id": application_id,
            "kind": kind.value,
            "customer_id": body.customer_id,
            "status": ApplicationStatus.PENDING.value,
            "requester": who.name,
            "requester_role": who.role.value,
            "required_roles": ",".join(required),
            "ratify_roles": ",".join(ratify),
            "proposed": json.dumps(proposal),
            "current": json.dumps(current_of(customer)) if customer is not None else None,
            "payment_terms_basis": basis.value,
            "valid_until": body.valid_until,
            "forecast_monthly_sales": body.forecast_monthly_sales,
            "suggested_limit": suggested,
            "score": json.dumps(body.score, sort_keys=True) if body.score is not None else None,
            "score_total": score_total,
            "score_grade": score_grade.value if score_grade is not None else None,
            "warnings": json.dumps(
                [{"code": f.code.value, "message": f.message} for f in findings]
            ),
            "justification": body.justification,
            "created_at": ctx.now,
            "expires_at": ctx.now + ctx.expire_after,
        },
    )
    audit.append(
        conn,
        at=ctx.now,
        kind="credit_application_filed",
        principal=who.name,
        role=who.role.value,
        customer_id=body.customer_id,
        comment=body.justification,
        data={
            "application_id": application_id,
            "kind": kind.value,
            "proposed": proposal,
            "required_roles": list(required),
            "ratify_roles": list(ratify),
        },
    )
    return views.view(conn, find(conn, application_id))


def _score(body: ApplicationIn, scorecard: Scorecard) -> tuple[int | None, Grade | None]:
    if body.score is None:
        return None, None
    try:
        total = scorecard.total(body.score)
    except ScoreError as exc:
        raise _invalid(f"body.score.{exc.factor}", exc.message, code="INVALID_SCORE") from None
    return total, scorecard.grade(total)


def find(conn: Connection, application_id: str, *, lock: bool = False) -> ApplicationRecord:
    row = repo.get(conn, application_id, lock=lock)
    if row is None:
        raise NotFound(
            f"credit application {application_id} is unknown", code="APPLICATION_NOT_FOUND"
        )
    return row
