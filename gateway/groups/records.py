"""What the groups repository hands out: frozen records named after their columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class GroupRecord:
    group_id: str
    name: str
    credit_limit: Decimal
    currency: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class MemberLedgerRecord:
    """A member's figures in its own credit currency."""

    customer_id: str
    currency: str
    reserved: Decimal  # its orders' reservations
    open_items: Decimal  # the sum of its open items
