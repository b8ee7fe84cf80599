"""A repayment plan (condition B), validated against the request's figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from gateway.errors import InvalidInput
from gateway.unfreeze.schemas import UnfreezeIn
from gateway.validation import require_precision
from policies.money import quantize


def validated_plan(
    body: UnfreezeIn, currency: str, over_limit: Decimal, now: datetime
) -> list[dict[str, str]] | None:
    if body.condition == "repayment_plan" and not body.repayment_plan:
        raise InvalidInput(
            "condition repayment_plan needs the plan's installments",
            code="REPAYMENT_PLAN_REQUIRED",
            details=[{"field": "body.repayment_plan", "message": "required"}],
        )
    if not body.repayment_plan:
        return None
    previous = now.date() - timedelta(days=1)
    for n, inst in enumerate(body.repayment_plan):
        field = f"body.repayment_plan.{n}"
        require_precision(inst.amount, currency, f"{field}.amount")
        if inst.due_date <= previous:
            message = "installment dates must be today or later and strictly increasing"
            raise InvalidInput(
                f"{field}.due_date: {message}",
                details=[{"field": f"{field}.due_date", "message": message}],
            )
        previous = inst.due_date
    total = sum((i.amount for i in body.repayment_plan), Decimal(0))
    if total < over_limit:
        message = f"the plan repays {total}, less than the over-limit part {over_limit}"
        raise InvalidInput(
            message,
            code="REPAYMENT_PLAN_TOO_SMALL",
            details=[{"field": "body.repayment_plan", "message": message}],
        )
    return [
        {"due_date": i.due_date.isoformat(), "amount": str(quantize(i.amount, currency))}
        for i in body.repayment_plan
    ]
