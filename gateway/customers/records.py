"""What the customers repository hands out: frozen records, one field per column, in
the table's column order (so `gateway.db.records.as_record` builds them positionally).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

# policies.Grade, policies.terms.TermsBasis and policies.ItemKind, as stored.
GradeName = Literal["A", "B", "C", "D"]
TermsBasisName = Literal["invoice", "month_end"]
ItemKindName = Literal["invoice", "note", "prepayment", "credit_note"]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    customer_id: str
    name: str
    credit_limit: Decimal
    currency: str
    grade: GradeName
    payment_terms_days: int
    blocked: bool
    review_date: date | None
    snapshot_as_of: datetime | None
    updated_at: datetime
    items_etag: str | None
    reserved: Decimal
    temporary_until: date | None
    limit_before_temporary: Decimal | None
    payment_terms_basis: TermsBasisName
    closing_day: int | None
    intercompany: bool


@dataclass(frozen=True, slots=True)
class OpenItemRecord:
    customer_id: str
    item_id: str
    kind: ItemKindName
    amount: Decimal  # in the item's own currency
    currency: str
    amount_credit: Decimal  # in the customer's credit currency
    due_date: date
    erp: str | None
    order_id: str | None
    document_date: date | None
    invoice_date: date | None
    days_past_term: int | None
