"""What simulation needs besides each decision's inputs (`decisions.inputs`): the
customers' open-item snapshots they refer to, and the lifecycle of invoices that name
an order."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from gateway.db.tables import money
from gateway.db.types import UtcDateTime


class ItemSnapshotRow(SQLModel, table=True):
    """A customer's open items as one replacement stored them, under its etag."""

    __tablename__ = "item_snapshots"
    __table_args__ = (Index("ix_item_snapshots_customer", "customer_id"),)

    etag: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=64)
    as_of: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    items: str = Field(sa_column=Column(Text(), nullable=False))  # JSON


class InvoiceSightingRow(SQLModel, table=True):
    """An open item naming an order: when snapshots first showed it, last showed it,
    and the snapshot it was first missing from (paid, or credited)."""

    __tablename__ = "invoice_sightings"
    __table_args__ = (Index("ix_invoice_sightings_order", "customer_id", "order_id"),)

    customer_id: str = Field(primary_key=True, max_length=64)
    item_id: str = Field(primary_key=True, max_length=64)
    erp: str | None = Field(default=None, max_length=32)
    order_id: str = Field(max_length=64)
    amount: Decimal = money()  # in the customer's credit currency
    due_date: date
    first_seen: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    gone_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
