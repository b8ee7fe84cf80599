"""What the orders repository hands out: frozen records, one field per column, in the
table's column order (so `gateway.db.records.as_record` builds them positionally; the
check reads an order and its revision's decisions on every request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

OrderStatus = Literal["released", "held", "cancelled"]


@dataclass(frozen=True, slots=True)
class OrderRecord:
    erp: str
    order_id: str
    customer_id: str
    revision: int
    status: OrderStatus
    amount: Decimal  # the latest revision's, in `currency`
    currency: str  # what amount, invoiced and reserved are in
    invoiced: Decimal
    reserved: Decimal
    decision_id: str
    updated_at: datetime
    security: str | None
    payment_terms_days: int | None


@dataclass(frozen=True, slots=True)
class DecisionKeyRecord:
    """What a check needs of an earlier decision of the same revision: whether the
    request is the same, and the stored answer to replay."""

    decision_id: str
    token_key: str
    payload_hash: str
    response: str


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    decision_id: str
    erp: str
    order_id: str
    revision: int
    token_key: str
    payload_hash: str
    customer_id: str
    outcome: Literal["release", "hold"]
    response: str  # the answer's JSON, served byte for byte on replay
    created_at: datetime
    inputs: str | None  # what it was decided on (gateway.recorder), JSON
