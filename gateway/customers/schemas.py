"""Request and response bodies of master data and open-item snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from gateway.schemas import (
    CurrencyCode,
    DateOnly,
    ErpName,
    Identifier,
    NonNegativeAmount,
    PositiveAmount,
    RequestModel,
    StrictFlag,
    UtcDatetime,
    WholeNumber,
)
from policies import Grade

MAX_ITEMS = 10_000


class CustomerIn(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    # Required while the ERP keeps the credit fields (`[master_data] owner = "erp"`:
    # gateway.openapi lists them as required then); optional, and only ever repeated,
    # when the gateway does. Left out they read None; a JSON null is refused.
    credit_limit: NonNegativeAmount = None  # type: ignore[assignment]
    currency: CurrencyCode
    grade: Grade = None  # type: ignore[assignment]
    payment_terms_days: WholeNumber = Field(default=None, ge=0, le=3650)  # type: ignore[assignment]
    blocked: StrictFlag = False
    review_date: DateOnly | None = None


class OpenItemIn(RequestModel):
    item_id: Identifier
    kind: Literal["invoice", "note"]
    amount: PositiveAmount
    currency: CurrencyCode
    due_date: DateOnly
    erp: ErpName | None = None
    order_id: Identifier | None = None


class OpenItemsIn(RequestModel):
    as_of: UtcDatetime
    items: list[OpenItemIn] = Field(max_length=MAX_ITEMS)


class CustomerOut(BaseModel):
    customer_id: str
    name: str
    credit_limit: str
    currency: str
    grade: str
    payment_terms_days: int
    blocked: bool
    review_date: date | None
    balance_as_of: datetime
    updated_at: datetime
