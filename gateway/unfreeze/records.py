"""What the unfreeze repository hands out: frozen records, one field per column, in
each table's column order (so `gateway.db.records.as_record` builds them positionally).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

# policies.unfreeze.RequestStatus and TokenStatus, as stored.
RequestStatusName = Literal["pending", "approved", "rejected", "expired", "voided", "released"]
TokenStatusName = Literal["issued", "redeemed", "revoked"]
ConditionName = Literal["paid_overdue", "repayment_plan", "other"]
WatchKind = Literal["payment", "plan"]
WatchStatus = Literal["open", "closed"]


@dataclass(frozen=True, slots=True)
class UnfreezeRequestRecord:
    request_id: str
    decision_id: str
    erp: str
    order_id: str
    revision: int
    customer_id: str
    amount: Decimal  # the held order's, in the credit currency
    currency: str
    grade: str
    condition: ConditionName
    justification: str
    repayment_plan: str | None  # JSON
    figures: str  # JSON, at request time
    requester: str
    required_roles: str  # comma-separated, matrix order
    status: RequestStatusName
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decided_role: str | None
    decision_comment: str | None
    released_at: datetime | None
    released_by: str | None
    release_decision_id: str | None
    release_figures: str | None  # JSON
    bank_reference: str | None


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    request_id: str
    role: str
    principal: str
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_id: str
    request_id: str
    erp: str
    order_id: str
    customer_id: str
    max_amount: Decimal
    status: TokenStatusName
    issued_at: datetime
    expires_at: datetime
    redeemed_at: datetime | None
    redeemed_decision_id: str | None
    revoked_at: datetime | None
    revoked_by: str | None


@dataclass(frozen=True, slots=True)
class WatchRecord:
    watch_id: str
    customer_id: str
    kind: WatchKind
    request_id: str
    data: str  # JSON
    due_at: datetime | None
    status: WatchStatus
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class OverrideReleaseRecord:
    erp: str
    order_id: str
    request_id: str
    customer_id: str
    amount: Decimal
    overdue_figure: Decimal
    approved_by: str  # JSON list
    released_at: datetime
