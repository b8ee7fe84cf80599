"""The answer's JSON shapes: figures as decimal strings in the credit currency."""

from __future__ import annotations

from typing import Any

from policies import Decision, Exposure, FxQuote, GroupExposure, Reason
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


def decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "outcome": decision.outcome.value,
        "reasons": reasons_json(decision.reasons),
        "warnings": reasons_json(decision.warnings),
        "exposure": exposure_json(decision.exposure),
    }
