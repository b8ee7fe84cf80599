"""The credit committee's decisions, per customer and month (seed 004 §4.3)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from gateway.db.types import UtcDateTime


class CommitteeDecisionRow(SQLModel, table=True):
    __tablename__ = "committee_decisions"
    __table_args__ = (
        Index("ix_committee_decisions_month", "month", "customer_id"),
        Index("ix_committee_decisions_customer", "customer_id", "kind"),
    )

    decision_id: str = Field(primary_key=True, max_length=36)
    customer_id: str = Field(max_length=64)
    month: str = Field(max_length=7)  # YYYY-MM
    kind: str = Field(max_length=32)
    note: str = Field(sa_column=Column(Text(), nullable=False))
    until: date | None = Field(default=None)
    decided_by: str = Field(max_length=64)
    role: str = Field(max_length=32)
    decided_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # A stop-shipment on a customer blocked already (by master data) leaves it blocked
    # when it lifts: the block was not the committee's.
    was_blocked: bool = Field(default=False)
    # A stop-shipment's block lifted once the overdue was paid.
    lifted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
