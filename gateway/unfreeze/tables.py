"""Unfreeze requests, approvals and override tokens."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from gateway.db.tables import money
from gateway.db.types import UtcDateTime


class UnfreezeRequestRow(SQLModel, table=True):
    __tablename__ = "unfreeze_requests"
    __table_args__ = (
        Index("ix_unfreeze_order", "erp", "order_id"),
        Index("ix_unfreeze_status", "status", "created_at"),
    )

    request_id: str = Field(primary_key=True, max_length=36)
    decision_id: str = Field(max_length=36)
    erp: str = Field(max_length=32)
    order_id: str = Field(max_length=64)
    revision: int
    customer_id: str = Field(max_length=64)
    amount: Decimal = money()  # the held order's amount, in the credit currency
    currency: str = Field(max_length=3)
    grade: str = Field(max_length=1)
    condition: str = Field(max_length=32)
    justification: str = Field(sa_column=Column(Text(), nullable=False))
    repayment_plan: str | None = Field(default=None, sa_column=Column(Text()))  # JSON
    figures: str = Field(sa_column=Column(Text(), nullable=False))  # JSON, at request time
    requester: str = Field(max_length=64)
    required_roles: str = Field(max_length=200)  # comma-separated, matrix order
    status: str = Field(max_length=16)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # Who rejected and why (shown to the requester).
    decided_by: str | None = Field(default=None, max_length=64)
    decided_role: str | None = Field(default=None, max_length=32)
    decision_comment: str | None = Field(default=None, sa_column=Column(Text()))
    # The credit controller's release (status released).
    released_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    released_by: str | None = Field(default=None, max_length=64)
    release_decision_id: str | None = Field(default=None, max_length=36)
    release_figures: str | None = Field(default=None, sa_column=Column(Text()))  # JSON
    bank_reference: str | None = Field(default=None, max_length=100)


class ApprovalRow(SQLModel, table=True):
    """One row per role: the primary key is what makes a role approve only once."""

    __tablename__ = "unfreeze_approvals"

    request_id: str = Field(primary_key=True, max_length=36)
    role: str = Field(primary_key=True, max_length=32)
    principal: str = Field(max_length=64)
    comment: str = Field(sa_column=Column(Text(), nullable=False))
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class OverrideTokenRow(SQLModel, table=True):
    """Server-side state of an issued token: it is redeemed at most once."""

    __tablename__ = "override_tokens"

    token_id: str = Field(primary_key=True, max_length=36)
    request_id: str = Field(max_length=36, unique=True)
    erp: str = Field(max_length=32)
    order_id: str = Field(max_length=64)
    customer_id: str = Field(max_length=64)
    max_amount: Decimal = money()
    status: str = Field(max_length=16)  # issued | redeemed | revoked
    issued_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    redeemed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    redeemed_decision_id: str | None = Field(default=None, max_length=36)
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    revoked_by: str | None = Field(default=None, max_length=64)


class CustomerWatchRow(SQLModel, table=True):
    """What a release leaves to watch on the customer's next checks: a payment in
    transit to be confirmed (kind payment) or a repayment plan (kind plan)."""

    __tablename__ = "customer_watches"
    __table_args__ = (Index("ix_customer_watches_open", "customer_id", "status"),)

    watch_id: str = Field(primary_key=True, max_length=36)
    customer_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # payment | plan
    request_id: str = Field(max_length=36)
    data: str = Field(sa_column=Column(Text(), nullable=False))  # JSON
    due_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    status: str = Field(max_length=16)  # open | closed
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))


class OverrideReleaseRow(SQLModel, table=True):
    """An order's last release by an override (token or controller): release validity
    is measured from its time and amount."""

    __tablename__ = "override_releases"

    erp: str = Field(primary_key=True, max_length=32)
    order_id: str = Field(primary_key=True, max_length=64)
    request_id: str = Field(max_length=36)
    customer_id: str = Field(max_length=64)
    amount: Decimal = money()
    overdue_figure: Decimal = money()
    approved_by: str = Field(sa_column=Column(Text(), nullable=False))  # JSON list
    released_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
