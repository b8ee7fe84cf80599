"""The check request (the ERP's question) as the contract defines it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gateway.schemas import (
    CurrencyCode,
    DateOnly,
    ErpName,
    Identifier,
    PositiveAmount,
    RequestModel,
    WholeNumber,
    integer_range,
)

TermsDays = Annotated[WholeNumber, Field(ge=0, le=3650), integer_range(0, 3650)]


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
    # DESIGN §3b: paid before shipment (款到发货): released unless the customer is
    # blocked, reserving nothing; and the order's own payment terms, held
    # (TERMS_EXCEED_APPROVED) when longer than the customer's approved ones.
    security: Literal["prepaid"] | None = None
    payment_terms_days: TermsDays | None = None
