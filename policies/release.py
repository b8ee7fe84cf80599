"""Credit control around a released unfreeze (DESIGN.md §3b "Releasing, rejecting, validity").

- `paid_overdue_tolerance` / `paid_overdue_met`: condition A is verified, not trusted.
- `plan_behind`: a repayment plan's installments past due against the customer's open
  items, which must have fallen by the amounts due so far.
- `apply_controls`: what the customer's watches (a payment in transit not confirmed in
  time, a plan behind) add to a decision.
- `apply_validity`: a later revision of an order released by an override stays released
  within the release's days and deviation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from policies.model import Decision, Outcome, Override, Reason
from policies.money import ZERO
from policies.reasons import REASON_ORDER, ReasonCode, WarningCode

_RANK = {code: n for n, code in enumerate(REASON_ORDER)}


class PlanAction(StrEnum):
    WARN = "warn"
    HOLD = "hold"


def paid_overdue_tolerance(
    configured: Decimal | None, overdue_at_filing: Decimal, cap: Decimal | None
) -> Decimal:
    """The configured tolerance, else the lower of 1% of the overdue at filing and `cap`
    (CNY 1,000 in the credit currency; None when there is no rate for it)."""
    if configured is not None:
        return configured
    share = overdue_at_filing / 100
    return share if cap is None else min(share, cap)


def paid_overdue_met(current_overdue: Decimal, tolerance: Decimal) -> bool:
    return current_overdue <= tolerance


@dataclass(frozen=True, slots=True)
class Installment:
    due_date: date
    amount: Decimal


def due_so_far(plan: tuple[Installment, ...], today: date) -> Decimal:
    """What the plan says should have been paid by now (installments past their day)."""
    return sum((i.amount for i in plan if today > i.due_date), ZERO)


def plan_behind(
    plan: tuple[Installment, ...],
    open_items_at_filing: Decimal,
    open_items_now: Decimal,
    today: date,
) -> bool:
    due = due_so_far(plan, today)
    return due > ZERO and open_items_at_filing - open_items_now < due


@dataclass(frozen=True, slots=True)
class Watches:
    """What the customer's watches found, for `apply_controls`."""

    payment_unconfirmed: tuple[str, ...] = ()  # bank references past their days
    plans_behind: tuple[str, ...] = ()  # request ids whose plan is behind
    plan_action: PlanAction = PlanAction.WARN


def apply_controls(decision: Decision, watches: Watches) -> Decision:
    reasons = list(decision.reasons)
    warnings = list(decision.warnings)
    if watches.payment_unconfirmed:
        refs = ", ".join(watches.payment_unconfirmed)
        reasons.append(
            Reason(
                ReasonCode.PAYMENT_NOT_CONFIRMED,
                f"the payment in transit ({refs}) was not confirmed by the snapshots in time",
            )
        )
    if watches.plans_behind:
        message = (
            "a repayment plan installment is past due and the open items have not fallen "
            f"by the amounts due (request {', '.join(watches.plans_behind)})"
        )
        if watches.plan_action is PlanAction.HOLD:
            reasons.append(Reason(ReasonCode.REPAYMENT_PLAN_BROKEN, message))
        else:
            warnings.append(Reason(WarningCode.REPAYMENT_PLAN_BEHIND, message))
    if len(reasons) == len(decision.reasons) and len(warnings) == len(decision.warnings):
        return decision
    ordered = tuple(sorted(reasons, key=lambda r: _RANK[ReasonCode(r.code)]))
    return replace(
        decision,
        outcome=Outcome.HOLD if ordered else decision.outcome,
        reasons=ordered,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True, slots=True)
class OverrideRelease:
    """An order's release by an override (token or controller): what validity is
    measured from."""

    request_id: str
    approved_by: tuple[str, ...]
    released_at: datetime
    amount: Decimal  # the released amount, credit currency
    overdue_figure: Decimal  # the overdue on the approved request's form


@dataclass(frozen=True, slots=True)
class Validity:
    days: int = 30
    deviation_percent: Decimal = Decimal(0)


# A revision that would now be held for one of these is checked as usual.
ENDS_VALIDITY = frozenset(
    {
        ReasonCode.CUSTOMER_BLOCKED,
        ReasonCode.NO_CREDIT,
        ReasonCode.REPAYMENT_PLAN_BROKEN,
        ReasonCode.PAYMENT_NOT_CONFIRMED,
    }
)


def valid_until(release: OverrideRelease, validity: Validity) -> datetime:
    return release.released_at + timedelta(days=validity.days)


def max_amount(release: OverrideRelease, validity: Validity) -> Decimal:
    return release.amount * (1 + validity.deviation_percent / 100)


def apply_validity(
    decision: Decision,
    release: OverrideRelease | None,
    validity: Validity,
    amount: Decimal,
    now: datetime,
) -> Decision:
    """A held later revision stays released within both bounds of its order's override
    release; its override says until when and up to which amount."""
    if release is None or validity.days <= 0 or decision.outcome is not Outcome.HOLD:
        return decision
    until = valid_until(release, validity)
    ceiling = max_amount(release, validity)
    if now > until or amount > ceiling:
        return decision
    if any(r.code in ENDS_VALIDITY for r in decision.reasons):
        return decision
    if decision.exposure.overdue_amount > release.overdue_figure:
        return decision
    override = Override(release.request_id, release.approved_by, until, ceiling)
    return replace(decision, outcome=Outcome.RELEASE, override=override)
