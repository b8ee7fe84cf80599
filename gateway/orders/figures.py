"""The answer's JSON shapes: figures as decimal strings in the credit currency."""

from __future__ import annotations

from typing import Any

from policies import Decision, Exposure, FxQuote, GroupExposure, Override, Reason
from policies.model import Remedy
from policies.money import quantize


def exposure_json(e: Exposure) -> dict[str, Any]:
    c = e.currency

    def m(value: Any) -> str:
        return str(quantize(value, c))

    return {
        "currency": c,
        "credit_limit": m(e.credit_limit),
        "open_items": m(e.open_items),
        "open_orders": m(e.open_orders),
        "order_amount": m(e.order_amount),
        "total": m(e.total),
        "available": m(e.available),
        "over_limit": m(e.over_limit),
        "overdue_amount": m(e.overdue_amount),
        "oldest_overdue_days": e.oldest_overdue_days,
        "balance_as_of": e.balance_as_of.isoformat() if e.balance_as_of else None,
        # Only for a credit group's member, and only when the amount was converted.
        **({"group": group_json(e.group)} if e.group is not None else {}),
        **({"fx": fx_json(e.fx)} if e.fx is not None else {}),
    }


def group_json(g: GroupExposure) -> dict[str, Any]:
    c = g.currency
    # Exactly the contract's fields (DESIGN.md §3b); amounts in the group's currency.
    return {
        "group_id": g.group_id,
        "credit_limit": str(quantize(g.credit_limit, c)),
        "total": str(quantize(g.total, c)),
        "available": str(quantize(g.available, c)),
        "over_limit": str(quantize(g.over_limit, c)),
    }


def fx_json(q: FxQuote) -> dict[str, Any]:
    return {
        "rate": format(q.rate, "f"),
        "rate_date": q.rate_date.isoformat() if q.rate_date else None,
    }


def reasons_json(reasons: tuple[Reason, ...]) -> list[dict[str, str]]:
    return [{"code": str(r.code), "message": r.message} for r in reasons]


def remedy_json(r: Remedy, currency: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": r.kind,
        "amount": str(quantize(r.amount, currency)),
        "message": r.message,
    }
    if r.kind == "pay_overdue":
        body["items"] = list(r.items)
    return body


def decision_json(decision: Decision) -> dict[str, Any]:
    cur = decision.exposure.currency
    return {
        "outcome": decision.outcome.value,
        "reasons": reasons_json(decision.reasons),
        "warnings": reasons_json(decision.warnings),
        "exposure": exposure_json(decision.exposure),
        # What would release a hold (policies.remedies); a release carries [].
        "remedies": [remedy_json(r, cur) for r in decision.remedies],
    }


def override_json(decision: Decision, override: Override | None) -> dict[str, Any] | None:
    if override is None:
        return None
    body: dict[str, Any] = {
        "request_id": override.request_id,
        "approved_by": list(override.approved_by),
    }
    if override.valid_until is not None:
        body["valid_until"] = override.valid_until.isoformat()
    if override.max_amount is not None:
        body["max_amount"] = str(quantize(override.max_amount, decision.exposure.currency))
    return body
