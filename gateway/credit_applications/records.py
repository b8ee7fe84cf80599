"""What the credit applications repository hands out: frozen records, one field per
column, in each table's column order (see gateway.db.records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

# policies.credit_application's Kind, TermsBasis and ApplicationStatus, as stored.
KindName = Literal["new", "update"]
TermsBasisName = Literal["invoice", "month_end"]
ApplicationStatusName = Literal["pending", "applied", "ratified", "rejected", "expired"]
StageName = Literal["approve", "ratify"]


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    application_id: str
    kind: KindName
    customer_id: str
    status: ApplicationStatusName
    requester: str
    requester_role: str
    required_roles: str  # comma-separated, in order
    ratify_roles: str
    proposed: str  # JSON
    current: str | None  # JSON, at filing
    payment_terms_basis: TermsBasisName
    valid_until: date | None
    forecast_monthly_sales: Decimal | None
    suggested_limit: Decimal | None
    score: str | None  # JSON
    score_total: int | None
    score_grade: str | None
    warnings: str  # JSON
    justification: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    applied_at: datetime | None


@dataclass(frozen=True, slots=True)
class AppliedRecord:
    """What an applied (or ratified) application granted, and when."""

    application_id: str
    customer_id: str
    proposed: str  # JSON
    valid_until: date | None
    applied_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApplicationApprovalRecord:
    application_id: str
    role: str
    principal: str
    stage: StageName
    comment: str
    at: datetime
