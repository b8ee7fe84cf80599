"""What the portfolio's reads hand out (customers are gateway.customers' records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class HeldOrderRecord:
    customer_id: str
    currency: str  # the customer's credit currency
    amount: Decimal  # in that currency
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """An order held by a decision in a window, with its latest amount."""

    customer_id: str
    erp: str
    order_id: str
    amount: Decimal  # in the credit currency


@dataclass(frozen=True, slots=True)
class UnfreezeDatesRecord:
    customer_id: str
    amount: Decimal  # the held order's, in the credit currency
    created_at: datetime
    released_at: datetime | None
