"""The body of `PUT /v1/customers/{id}/sales`, and the answers of aging and sales."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from gateway.schemas import (
    DayText,
    DecimalText,
    NonNegativeAmount,
    RequestModel,
    ResponseModel,
)

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]


class SalesPeriodIn(RequestModel):
    month: Month
    amount: NonNegativeAmount  # net (VAT-exclusive), in the customer's credit currency


class SalesIn(RequestModel):
    periods: list[SalesPeriodIn] = Field(min_length=1, max_length=600)


class SalesPeriodOut(ResponseModel):
    month: str
    amount: DecimalText


class SalesOut(ResponseModel):
    """Every month's sales stored for the customer, in its credit currency."""

    customer_id: str
    currency: str
    periods: list[SalesPeriodOut]


class AgingBucketsOut(ResponseModel):
    """Amounts by days past due (`policies.aging.BUCKETS`, in its order)."""

    current: DecimalText
    days_1_30: DecimalText = Field(alias="1-30")
    days_31_60: DecimalText = Field(alias="31-60")
    days_61_90: DecimalText = Field(alias="61-90")
    days_91_180: DecimalText = Field(alias="91-180")
    over_180: DecimalText


class AgingOut(ResponseModel):
    as_of: DayText
    currency: str
    receivables: AgingBucketsOut
    notes: AgingBucketsOut
    total: AgingBucketsOut
    dso_days: float | None  # null: no sales to divide by
