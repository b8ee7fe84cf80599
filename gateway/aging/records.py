"""What the aging repository hands out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class MonthlySalesRecord:
    month: str  # YYYY-MM
    amount: Decimal  # net sales, in the customer's credit currency
