"""What would release a held order: the smallest single changes, from the same figures.

A remedy is listed only when it would release the order on its own: none when the
hold has a reason no amount can cure (a block, grade D or no limit, a passed review
date, a stale balance, an unconfirmed payment, a broken plan). A limit raise is never
a remedy (seed 4.1: a release "does not mean raising the limit").

- `reduce_order`: the largest order amount that passes now (the limit's room, the
  grade's maximum order value), when the hold is the limit or the order value alone.
- `pay_overdue`: the items to pay, overdue ones oldest first, then others oldest first
  if the limit needs more, enough to clear the hold; when the hold is overdue (with or
  without the limit).
- `prepay`: a deposit of the over-limit part, when the hold is the limit alone.

An OVERRIDE_REJECTED beside the reasons is ignored: it says a token failed, and a
remedy releases the order without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from policies.model import CREDIT_KINDS, Decision, GradePolicy, OpenItem, Outcome, Remedy
from policies.money import ZERO, minor_units
from policies.reasons import ReasonCode

LIMIT = ReasonCode.CREDIT_LIMIT_EXCEEDED
OVERDUE = ReasonCode.OVERDUE
ORDER_VALUE = ReasonCode.ORDER_VALUE_EXCEEDED
CURABLE = frozenset({LIMIT, OVERDUE, ORDER_VALUE})


def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def _down(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(_unit(currency), rounding=ROUND_DOWN)


def _up(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(_unit(currency), rounding=ROUND_UP)


def remedies_for(
    decision: Decision, items: Iterable[OpenItem], grade: GradePolicy, today: date
) -> tuple[Remedy, ...]:
    """The remedies of a decision; () for a release or an incurable hold."""
    if decision.outcome is Outcome.RELEASE:
        return ()
    codes: set[str] = {str(r.code) for r in decision.reasons} - {ReasonCode.OVERRIDE_REJECTED}
    if not codes or not codes <= CURABLE:
        return ()
    found = [
        r
        for r in (
            _reduce_order(decision, codes, grade),
            _pay_overdue(decision, codes, tuple(items), grade, today),
            _prepay(decision, codes),
        )
        if r is not None
    ]
    return tuple(found)


def with_remedies(
    decision: Decision, items: Iterable[OpenItem], grade: GradePolicy, today: date
) -> Decision:
    return replace(decision, remedies=remedies_for(decision, items, grade, today))


def _reduce_order(decision: Decision, codes: set[str], grade: GradePolicy) -> Remedy | None:
    if OVERDUE in codes:
        return None  # a smaller order leaves the overdue as it is
    e = decision.exposure
    caps = []
    if LIMIT in codes:
        caps.append(e.available)
    if ORDER_VALUE in codes and grade.max_order_value is not None:
        caps.append(grade.max_order_value)
    amount = _down(min(caps), e.currency) if caps else ZERO
    if amount <= ZERO:
        return None
    return Remedy(
        "reduce_order",
        amount,
        f"an order of at most {e.currency} {amount} would be released now",
    )


def _pay_overdue(
    decision: Decision,
    codes: set[str],
    items: tuple[OpenItem, ...],
    grade: GradePolicy,
    today: date,
) -> Remedy | None:
    if OVERDUE not in codes or ORDER_VALUE in codes:
        return None
    e = decision.exposure
    cutoff = today - timedelta(days=grade.overdue_tolerance_days)
    # Credits (prepayments, credit notes) are the customer's money, not debts to pay.
    payable = sorted(
        (i for i in items if i.amount > ZERO and i.kind not in CREDIT_KINDS),
        key=lambda i: (i.due_date, i.item_id),
    )
    overdue = [i for i in payable if i.due_date < cutoff]
    others = [i for i in payable if i.due_date >= cutoff]
    chosen: list[OpenItem] = []
    remaining_overdue = e.overdue_amount
    for item in overdue:
        if remaining_overdue <= grade.min_overdue_amount:
            break
        chosen.append(item)
        remaining_overdue -= item.amount
    if remaining_overdue > ZERO and remaining_overdue > grade.min_overdue_amount:
        return None
    total = e.total - sum((i.amount for i in chosen), ZERO)
    rest = [i for i in overdue if i not in chosen] + others
    rest.sort(key=lambda i: (i.due_date, i.item_id))
    for item in rest:
        if total <= e.credit_limit:
            break
        chosen.append(item)
        total -= item.amount
    if total > e.credit_limit:
        return None  # paying everything would not make room for this order
    amount = sum((i.amount for i in chosen), ZERO)
    ids = tuple(i.item_id for i in chosen)
    return Remedy(
        "pay_overdue",
        amount,
        f"paying {e.currency} {amount} ({', '.join(ids)}) would release the order",
        ids,
    )


def _prepay(decision: Decision, codes: set[str]) -> Remedy | None:
    if codes != {LIMIT}:
        return None
    e = decision.exposure
    amount = _up(e.over_limit, e.currency)
    return Remedy(
        "prepay",
        amount,
        f"a deposit of {e.currency} {amount} (the over-limit part) would release the order",
    )
