"""Credit applications (seed 004 2.1.4 and 2.2), as pure rules: who must approve, the
suggested limit, the warnings, the scorecard, the review date and temporary limits.

Values in, frozen values out; the shell converts amounts (FX) and reads the clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from policies.model import Grade
from policies.money import quantize
from policies.roles import Role

DAYS_PER_MONTH = 30


class Kind(StrEnum):
    NEW = "new"
    UPDATE = "update"


class TermsBasis(StrEnum):
    INVOICE = "invoice"
    MONTH_END = "month_end"


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"  # the change is in force (a reduction may still await ratification)
    RATIFIED = "ratified"  # a reduction applied on finance's word, ratified since
    REJECTED = "rejected"
    EXPIRED = "expired"


class ApplicationWarning(StrEnum):
    NEW_CUSTOMER_CREDIT = "NEW_CUSTOMER_CREDIT"
    TERMS_ABOVE_AUTHORITY = "TERMS_ABOVE_AUTHORITY"
    ABOVE_SUGGESTED_LIMIT = "ABOVE_SUGGESTED_LIMIT"
    GRADE_ABOVE_SCORE = "GRADE_ABOVE_SCORE"


# Roles that may ever approve a credit application: never sales, the ERP or an admin.
APPLICATION_APPROVERS: tuple[Role, ...] = (
    Role.FINANCE_MANAGER,
    Role.SALES_MANAGER,
    Role.GENERAL_MANAGER,
    Role.CFO,
    Role.CREDIT_CONTROLLER,
)


@dataclass(frozen=True, slots=True)
class Terms:
    """The credit terms of a customer, as stored or as proposed."""

    credit_limit: Decimal
    currency: str
    payment_terms_days: int
    grade: Grade


def better_grade(a: Grade, b: Grade) -> bool:
    """A is the best grade, D the worst."""
    return a.value < b.value


def is_reduction(current: Terms | None, proposed: Terms) -> bool:
    """An update that only lowers risk: same currency, limit and terms not above the
    current ones, grade not better."""
    return (
        current is not None
        and proposed.currency == current.currency
        and proposed.credit_limit <= current.credit_limit
        and proposed.payment_terms_days <= current.payment_terms_days
        and not better_grade(proposed.grade, current.grade)
    )


@dataclass(frozen=True, slots=True)
class ApplicationMatrix:
    new_roles: tuple[Role, ...] = (Role.FINANCE_MANAGER, Role.SALES_MANAGER, Role.GENERAL_MANAGER)
    update_roles: tuple[Role, ...] = (Role.FINANCE_MANAGER, Role.GENERAL_MANAGER)
    escalation_role: Role = Role.CFO
    escalate_terms_above_days: int = 100
    escalate_limit_from: Decimal = Decimal("3000000")  # in `escalation_currency`
    escalation_currency: str = "CNY"
    reduction_roles: tuple[Role, ...] = (Role.FINANCE_MANAGER,)
    ratify_roles: tuple[Role, ...] = (Role.GENERAL_MANAGER,)

    def __post_init__(self) -> None:
        every = (
            *self.new_roles,
            *self.update_roles,
            self.escalation_role,
            *self.reduction_roles,
            *self.ratify_roles,
        )
        wrong = sorted({r.value for r in every if r not in APPLICATION_APPROVERS})
        if wrong:
            raise ValueError(f"roles {wrong} may not approve credit applications")
        if not self.new_roles or not self.update_roles or not self.reduction_roles:
            raise ValueError("every kind of application needs at least one approving role")

    def escalates(self, payment_terms_days: int, limit_converted: Decimal | None) -> bool:
        """Long terms, or a limit at or above the threshold (None: not convertible, so
        the larger approval is taken)."""
        return payment_terms_days > self.escalate_terms_above_days or (
            limit_converted is None or limit_converted >= self.escalate_limit_from
        )

    def roles_for(
        self,
        kind: Kind,
        current: Terms | None,
        proposed: Terms,
        limit_converted: Decimal | None,
    ) -> tuple[tuple[Role, ...], tuple[Role, ...]]:
        """(required roles, ratify roles): a pure reduction applies on the reduction
        roles' approval and is ratified afterwards; anything else needs every role."""
        if kind is Kind.UPDATE and is_reduction(current, proposed):
            ratify = tuple(r for r in self.ratify_roles if r not in self.reduction_roles)
            return self.reduction_roles, ratify
        roles = list(self.new_roles if kind is Kind.NEW else self.update_roles)
        if (
            self.escalates(proposed.payment_terms_days, limit_converted)
            and self.escalation_role not in roles
        ):
            roles.append(self.escalation_role)
        return tuple(roles), ()


def suggested_limit(
    forecast_monthly_sales: Decimal, payment_terms_days: int, basis: TermsBasis, currency: str
) -> Decimal:
    """(terms / 30 + 1) months of forecast sales, one month more on month-end terms."""
    months_extra = 2 if basis is TermsBasis.MONTH_END else 1
    raw = (
        forecast_monthly_sales
        * (payment_terms_days + months_extra * DAYS_PER_MONTH)
        / DAYS_PER_MONTH
    )
    return quantize(raw, currency)


class ScoreError(ValueError):
    """Points for a factor the scorecard does not know, or above its maximum."""

    def __init__(self, factor: str, message: str) -> None:
        super().__init__(message)
        self.factor = factor
        self.message = message


@dataclass(frozen=True, slots=True)
class Scorecard:
    factors: Mapping[str, int]  # factor -> maximum points, summing to 100
    grades: Mapping[Grade, int]  # the least score of A, B and C; below C is D

    def __post_init__(self) -> None:
        total = sum(self.factors.values())
        if total != 100:
            raise ValueError(f"the factors' maximum points sum to {total}, not 100")
        if any(points <= 0 for points in self.factors.values()):
            raise ValueError("every factor needs a maximum above 0")
        cuts = [self.grades.get(g) for g in (Grade.A, Grade.B, Grade.C)]
        if None in cuts or Grade.D in self.grades:
            raise ValueError("grades names the least score of A, B and C (below C is D)")
        if not 100 >= cuts[0] > cuts[1] > cuts[2] >= 0:  # type: ignore[operator]
            raise ValueError("grade cut-offs must fall from A to C, within 0-100")

    def total(self, points: Mapping[str, int]) -> int:
        for factor, given in points.items():
            if factor not in self.factors:
                known = ", ".join(sorted(self.factors))
                raise ScoreError(factor, f"unknown factor {factor!r} (factors: {known})")
            if given > self.factors[factor]:
                raise ScoreError(
                    factor, f"{factor}: {given} points is above its maximum {self.factors[factor]}"
                )
        return sum(points.values())

    def grade(self, total: int) -> Grade:
        for grade in (Grade.A, Grade.B, Grade.C):
            if total >= self.grades[grade]:
                return grade
        return Grade.D


DEFAULT_SCORECARD = Scorecard(
    factors={
        # financial (60)
        "debt_ratio": 15,
        "current_ratio": 10,
        "quick_ratio": 10,
        "receivable_turnover": 15,
        "profitability": 10,
        # non-financial (40)
        "payment_history": 15,
        "reputation": 10,
        "management": 10,
        "industry_outlook": 5,
    },
    grades={Grade.A: 85, Grade.B: 70, Grade.C: 50},
)


@dataclass(frozen=True, slots=True)
class Finding:
    code: ApplicationWarning
    message: str


def warnings_for(
    kind: Kind,
    proposed: Terms,
    basis: TermsBasis,
    suggested: Decimal | None,
    score_grade: Grade | None,
    max_terms_days: int = 60,
) -> tuple[Finding, ...]:
    found: list[Finding] = []
    if kind is Kind.NEW and proposed.credit_limit > 0:
        found.append(
            Finding(
                ApplicationWarning.NEW_CUSTOMER_CREDIT,
                "new customers start at zero credit and get credit after about three "
                "months of good cash trading",
            )
        )
    if proposed.payment_terms_days > max_terms_days:
        found.append(
            Finding(
                ApplicationWarning.TERMS_ABOVE_AUTHORITY,
                f"{proposed.payment_terms_days} days ({basis.value}) is above the company's "
                f"maximum of {max_terms_days} days month-end",
            )
        )
    if suggested is not None and proposed.credit_limit > suggested:
        found.append(
            Finding(
                ApplicationWarning.ABOVE_SUGGESTED_LIMIT,
                f"the proposed limit {proposed.credit_limit} is above the suggested {suggested}",
            )
        )
    if score_grade is not None and better_grade(proposed.grade, score_grade):
        found.append(
            Finding(
                ApplicationWarning.GRADE_ABOVE_SCORE,
                f"grade {proposed.grade.value} is better than the score's {score_grade.value}",
            )
        )
    return tuple(found)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_date(today: date, grade: Grade, months_by_grade: Mapping[Grade, int]) -> date:
    return add_months(today, months_by_grade.get(grade, 12))


def effective_limit(
    credit_limit: Decimal, previous_limit: Decimal | None, valid_until: date | None, today: date
) -> Decimal:
    """A temporary limit holds through `valid_until`; after that day the previous one
    applies again, whether or not the revert has been written yet."""
    if valid_until is not None and previous_limit is not None and today > valid_until:
        return previous_limit
    return credit_limit
