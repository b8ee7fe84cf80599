"""The answers of the portfolio and of the credit committee's report and decisions."""

from __future__ import annotations

from gateway.aging.schemas import AgingBucketsOut
from gateway.balances.schemas import CommitteeDecisionOut
from gateway.schemas import DayText, DecimalText, MonthText, ResponseModel


class PortfolioAgingOut(ResponseModel):
    receivables: AgingBucketsOut
    notes: AgingBucketsOut
    total: AgingBucketsOut


class HeldOrdersOut(ResponseModel):
    count: int
    amount: DecimalText
    oldest_hours: float | None


class OverdueEntryOut(ResponseModel):
    customer_id: str
    name: str
    amount: DecimalText
    exposure: DecimalText


class LimitEntryOut(ResponseModel):
    customer_id: str
    name: str
    credit_limit: DecimalText
    exposure: DecimalText
    utilization: DecimalText | None  # percent of the limit; null: no limit


class ReviewEntryOut(ResponseModel):
    customer_id: str
    name: str
    review_date: DayText | None
    review_status: str
    days_overdue: int


class PortfolioOut(ResponseModel):
    """Amounts in the FX base currency (`currency`)."""

    as_of: DayText
    currency: str
    customers: int
    credit_limit_total: DecimalText
    exposure_total: DecimalText
    aging: PortfolioAgingOut
    dso_days: float | None
    held_orders: HeldOrdersOut
    over_180: list[OverdueEntryOut]
    near_limit: list[LimitEntryOut]
    reviews_due: list[ReviewEntryOut]
    top_exposures: list[LimitEntryOut]


class CommitteeAgingOut(ResponseModel):
    receivables: AgingBucketsOut
    notes: AgingBucketsOut


class CommitteeHoldsOut(ResponseModel):
    count: int
    amount: DecimalText


class CommitteeUnfreezesOut(ResponseModel):
    requested: int
    released: int
    released_amount: DecimalText


class CommitteeCustomerOut(ResponseModel):
    customer_id: str
    name: str
    credit_currency: str
    credit_limit: DecimalText
    payment_terms_days: int
    payment_terms_basis: str
    grade: str
    blocked: bool
    intercompany: bool
    exposure: DecimalText
    aging: CommitteeAgingOut
    dso_days: float | None
    overdue_over_6_months: DecimalText
    holds: CommitteeHoldsOut
    unfreezes: CommitteeUnfreezesOut
    review_date: DayText | None
    review_due: bool
    decisions: list[CommitteeDecisionOut]
    decisions_last_month: list[CommitteeDecisionOut]


class CommitteeReportOut(ResponseModel):
    """The month's report, amounts in the FX base currency (`currency`)."""

    month: MonthText
    as_of: DayText
    aging_as_of: DayText
    currency: str
    dso_basis: str
    customers: list[CommitteeCustomerOut]


class CommitteeDecisionsOut(ResponseModel):
    month: MonthText
    decisions: list[CommitteeDecisionOut]
