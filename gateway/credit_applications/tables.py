"""Credit applications and their approvals (seed 004 2.1.4 and 2.2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from gateway.db.types import Money, UtcDateTime


class CreditApplicationRow(SQLModel, table=True):
    __tablename__ = "credit_applications"
    __table_args__ = (
        Index("ix_credit_applications_status", "status", "created_at"),
        Index("ix_credit_applications_customer", "customer_id", "created_at"),
    )

    application_id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=8)  # new | update
    customer_id: str = Field(max_length=64)
    status: str = Field(max_length=16)
    requester: str = Field(max_length=64)
    requester_role: str = Field(max_length=32)
    required_roles: str = Field(max_length=200)  # comma-separated, in order
    ratify_roles: str = Field(default="", max_length=200)
    proposed: str = Field(sa_column=Column(Text(), nullable=False))  # JSON
    current: str | None = Field(default=None, sa_column=Column(Text()))  # JSON, at filing
    payment_terms_basis: str = Field(max_length=16)
    valid_until: date | None = None
    forecast_monthly_sales: Decimal | None = Field(default=None, sa_column=Column(Money()))
    suggested_limit: Decimal | None = Field(default=None, sa_column=Column(Money()))
    score: str | None = Field(default=None, sa_column=Column(Text()))  # JSON
    score_total: int | None = None
    score_grade: str | None = Field(default=None, max_length=1)
    warnings: str = Field(sa_column=Column(Text(), nullable=False))  # JSON
    justification: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    applied_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))


class CreditApplicationApprovalRow(SQLModel, table=True):
    """One row per role: the primary key is what makes a role approve only once."""

    __tablename__ = "credit_application_approvals"

    application_id: str = Field(primary_key=True, max_length=36)
    role: str = Field(primary_key=True, max_length=32)
    principal: str = Field(max_length=64)
    stage: str = Field(max_length=8)  # approve | ratify
    comment: str = Field(sa_column=Column(Text(), nullable=False))
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
