"""The decision: release or hold one order, from values only.

Deny-overrides: every enabled check runs, every failing one is reported with its
figures, and any reason means hold. No clock, no I/O: `now`/`today` come in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from policies.fx import FxQuote
from policies.groups import GroupFigures, group_exposure
from policies.model import (
    CREDIT_KINDS,
    Account,
    Balance,
    Check,
    Decision,
    Exposure,
    Grade,
    GradePolicy,
    ItemKind,
    Outcome,
    Policy,
    Reason,
    StaleAction,
)
from policies.money import ZERO, quantize
from policies.reasons import REASON_ORDER, ReasonCode, WarningCode


def compute_exposure(
    account: Account | None,
    balance: Balance | None,
    order_amount: Decimal,
    currency: str,
    tolerance_days: int,
    today: date,
    note_past_term_holds: bool = False,
) -> Exposure:
    limit = account.credit_limit if account else ZERO
    open_orders = balance.open_orders if balance else ZERO
    # One pass over the items: this runs on every check (bench/micro_evaluate.py).
    # An item is overdue when today > due_date + tolerance, i.e. due_date < cutoff:
    # comparing dates spares a timedelta per item.
    cutoff = today - timedelta(days=tolerance_days)
    open_items = overdue_amount = ZERO
    oldest_due: date | None = None
    for item in balance.items if balance else ():
        if item.kind in CREDIT_KINDS:  # prepayments and credit notes lower exposure
            open_items -= item.amount
            continue
        due = item.due_date
        if (
            note_past_term_holds
            and item.days_past_term is not None
            and item.kind is ItemKind.NOTE
            and item.days_past_term > tolerance_days
        ):
            # Past its invoice's term by the seed's count: as overdue as that many days.
            due = min(due, today - timedelta(days=item.days_past_term))
        open_items += item.amount
        if due < cutoff:
            overdue_amount += item.amount
            if oldest_due is None or due < oldest_due:
                oldest_due = due
    total = open_items + open_orders + order_amount
    return Exposure(
        currency=account.currency if account else currency,
        credit_limit=limit,
        open_items=open_items,
        open_orders=open_orders,
        order_amount=order_amount,
        total=total,
        available=limit - open_items - open_orders,
        over_limit=max(ZERO, total - limit),
        overdue_amount=overdue_amount,
        oldest_overdue_days=(today - oldest_due).days if oldest_due is not None else 0,
        balance_as_of=balance.as_of if balance else None,
    )


def evaluate(
    *,
    order_amount: Decimal,
    currency: str,
    account: Account | None,
    balance: Balance | None,
    policy: Policy,
    now: datetime,
    today: date,
    group: GroupFigures | None = None,
    fx: FxQuote | None = None,
    prepaid: bool = False,
    order_terms_days: int | None = None,
) -> Decision:
    """Decide one order. `order_amount` is already in the account's credit currency;
    `group` is the customer's credit group's figures, if it is in one; `fx` the rate the
    amount was converted at, shown with the figures.

    A `prepaid` order (paid before shipment) is released whatever the credit figures,
    unless the customer is blocked (or unknown). `order_terms_days`, the order's own
    payment terms, may not exceed the customer's approved ones."""
    grade_policy = policy.grades.get(account.grade, GradePolicy()) if account else GradePolicy()
    exposure = compute_exposure(
        account,
        balance,
        order_amount,
        currency,
        grade_policy.overdue_tolerance_days,
        today,
        grade_policy.note_past_term_holds,
    )
    if fx is not None:
        exposure = replace(exposure, fx=fx)
    reasons: list[Reason] = []
    warnings: list[Reason] = []
    cur = exposure.currency
    enabled = policy.checks

    if account is None:
        # An unknown customer has no credit at all; there are no figures to check.
        reasons.append(Reason(ReasonCode.NO_CREDIT, "customer is unknown: no credit granted"))
        return _decide(reasons, warnings, exposure)

    if prepaid and not account.blocked:
        return _decide(reasons, warnings, exposure)  # no credit is used: nothing to check

    if Check.CUSTOMER_BLOCKED in enabled and account.blocked:
        reasons.append(Reason(ReasonCode.CUSTOMER_BLOCKED, "customer is blocked by credit control"))

    if Check.NO_CREDIT in enabled:
        if account.grade is Grade.D:
            reasons.append(Reason(ReasonCode.NO_CREDIT, "grade D: cash in advance only"))
        elif account.credit_limit <= ZERO:
            reasons.append(Reason(ReasonCode.NO_CREDIT, f"credit limit is {cur} 0"))

    if Check.CREDIT_LIMIT in enabled and exposure.total > exposure.credit_limit:
        reasons.append(
            Reason(
                ReasonCode.CREDIT_LIMIT_EXCEEDED,
                f"exposure {cur} {_m(exposure.total, cur)} exceeds limit "
                f"{cur} {_m(exposure.credit_limit, cur)} by {cur} {_m(exposure.over_limit, cur)}",
            )
        )

    if group is not None:
        exposure = replace(exposure, group=group_exposure(group))
        _group_limit(exposure, enabled, reasons)

    if (
        Check.OVERDUE in enabled
        and exposure.overdue_amount > ZERO
        and exposure.overdue_amount > grade_policy.min_overdue_amount
    ):
        reasons.append(
            Reason(
                ReasonCode.OVERDUE,
                f"{cur} {_m(exposure.overdue_amount, cur)} overdue beyond "
                f"{grade_policy.overdue_tolerance_days} days tolerance, oldest "
                f"{exposure.oldest_overdue_days} days past due",
            )
        )

    if Check.REVIEW_DATE in enabled and account.review_date and today > account.review_date:
        reasons.append(
            Reason(
                ReasonCode.REVIEW_DATE_PASSED,
                f"credit review was due on {account.review_date.isoformat()}",
            )
        )

    max_value = grade_policy.max_order_value
    if Check.ORDER_VALUE in enabled and max_value is not None and order_amount > max_value:
        reasons.append(
            Reason(
                ReasonCode.ORDER_VALUE_EXCEEDED,
                f"order {cur} {_m(order_amount, cur)} exceeds grade {account.grade} maximum "
                f"{cur} {_m(max_value, cur)}",
            )
        )

    if Check.BALANCE_STALE in enabled and balance is not None:
        age = now - balance.as_of
        if age > policy.stale_after:
            message = (
                f"balance is {int(age.total_seconds() // 60)} minutes old "
                f"(limit {int(policy.stale_after.total_seconds() // 60)})"
            )
            if policy.stale_action is StaleAction.HOLD:
                reasons.append(Reason(ReasonCode.BALANCE_STALE, message))
            else:
                warnings.append(Reason(WarningCode.BALANCE_STALE, message))

    if order_terms_days is not None and order_terms_days > account.payment_terms_days:
        reasons.append(
            Reason(
                ReasonCode.TERMS_EXCEED_APPROVED,
                f"order payment terms of {order_terms_days} days exceed the approved "
                f"{account.payment_terms_days} days",
            )
        )

    if (
        Check.NEAR_LIMIT in enabled
        and exposure.credit_limit > ZERO
        and exposure.total <= exposure.credit_limit
        and exposure.total >= exposure.credit_limit * policy.near_limit_ratio
    ):
        used = (exposure.total * 100 / exposure.credit_limit).quantize(Decimal("0.1"))
        warnings.append(
            Reason(
                WarningCode.LIMIT_NEARLY_USED,
                f"{used}% of the {cur} {_m(exposure.credit_limit, cur)} limit used",
            )
        )

    return _decide(reasons, warnings, exposure)


def _group_limit(exposure: Exposure, enabled: frozenset[Check], reasons: list[Reason]) -> None:
    """The group's limit is a credit limit: tested where the customer's own is."""
    g = exposure.group
    if g is None or Check.CREDIT_LIMIT not in enabled or g.total <= g.credit_limit:
        return
    c = g.currency
    reasons.append(
        Reason(
            ReasonCode.GROUP_LIMIT_EXCEEDED,
            f"credit group {g.group_id}: exposure {c} {_m(g.total, c)} exceeds the group "
            f"limit {c} {_m(g.credit_limit, c)} by {c} {_m(g.over_limit, c)}",
        )
    )


def _m(amount: Decimal, currency: str) -> Decimal:
    """An amount as the currency writes it (2 decimals for EUR, none for JPY)."""
    return quantize(amount, currency)


_RANK: dict[str, int] = {code: n for n, code in enumerate(REASON_ORDER)}


def _decide(reasons: list[Reason], warnings: list[Reason], exposure: Exposure) -> Decision:
    ordered = tuple(sorted(reasons, key=lambda r: _RANK[r.code]))
    outcome = Outcome.HOLD if ordered else Outcome.RELEASE
    return Decision(outcome, ordered, tuple(warnings), exposure)
