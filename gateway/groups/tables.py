"""Credit groups and their members (a customer in at most one group)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from gateway.db.tables import money
from gateway.db.types import UtcDateTime


class CreditGroupRow(SQLModel, table=True):
    """A limit shared by its members; its row is what serializes their checks."""

    __tablename__ = "credit_groups"

    group_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    credit_limit: Decimal = money()
    currency: str = Field(max_length=3)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CreditGroupMemberRow(SQLModel, table=True):
    """The key is the customer alone: one group per customer, by construction."""

    __tablename__ = "credit_group_members"
    __table_args__ = (Index("ix_credit_group_members_group", "group_id"),)

    customer_id: str = Field(primary_key=True, max_length=64)
    group_id: str = Field(max_length=64)
