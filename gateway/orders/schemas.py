"""The check request (the ERP's question) as the contract defines it."""

from __future__ import annotations

from pydantic import Field

from gateway.schemas import (
    CurrencyCode,
    DateOnly,
    ErpName,
    Identifier,
    PositiveAmount,
    RequestModel,
    WholeNumber,
)


class CheckIn(RequestModel):
    erp: ErpName
    order_id: Identifier
    revision: WholeNumber = Field(ge=0, le=2**31 - 1)
    customer_id: Identifier
    amount: PositiveAmount
    currency: CurrencyCode
    override_token: str | None = Field(default=None, min_length=1, max_length=2048)
    # The day whose exchange rates convert the amount (default: today in the business
    # time zone); see gateway.fx.
    order_date: DateOnly | None = None
