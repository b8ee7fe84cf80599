"""The tables. Money columns are `Money` (exact); times are aware UTC."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Column, Index, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from gateway.db.types import Money, UtcDateTime


def money() -> Decimal:
    return Field(sa_column=Column(Money(), nullable=False))  # type: ignore[no-any-return]


class Customer(SQLModel, table=True):
    __tablename__ = "customers"

    customer_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    credit_limit: Decimal = money()
    currency: str = Field(max_length=3)
    grade: str = Field(max_length=1)
    payment_terms_days: int
    blocked: bool = False
    review_date: date | None = None
    # Time of the last open-item snapshot (None until the first one arrives).
    snapshot_as_of: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # Fresh and random at every open-item replacement: the key of the in-memory copy.
    items_etag: str | None = Field(default=None, max_length=32)
    # The sum of the customer's orders' reservations, moved with each of them in the
    # same transaction (gateway.orders.repository): a check reads it, never sums.
    reserved: Decimal = Field(
        default=Decimal(0), sa_column=Column(Money(), nullable=False, server_default="0")
    )
    # A temporary limit (an applied application's `valid_until`): through that day
    # `credit_limit` holds, after it `limit_before_temporary` does again (read side:
    # policies.credit_application.effective_limit; the revert is written by a sweep).
    temporary_until: date | None = None
    limit_before_temporary: Decimal | None = Field(default=None, sa_column=Column(Money()))
    # How due dates follow from document dates (policies.terms): "invoice" | "month_end",
    # the closing day of month-end terms (1-28; None: the month's end), and whether the
    # customer is a group company (left out of portfolio DSO).
    payment_terms_basis: str = Field(
        default="invoice",
        sa_column=Column(String(16), nullable=False, server_default="invoice"),
    )
    closing_day: int | None = None
    intercompany: bool = Field(
        default=False, sa_column=Column(Boolean(), nullable=False, server_default=false())
    )


class OpenItemRow(SQLModel, table=True):
    __tablename__ = "open_items"

    customer_id: str = Field(primary_key=True, max_length=64)
    item_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)
    amount: Decimal = money()  # in the item's own currency, as the ERP sent it
    currency: str = Field(max_length=3)
    amount_credit: Decimal = money()  # in the customer's credit currency
    due_date: date  # as sent, or computed from document_date when pushed (fixed then)
    erp: str | None = Field(default=None, max_length=32)
    order_id: str | None = Field(default=None, max_length=64)
    document_date: date | None = None
    invoice_date: date | None = None  # a note's invoice
    days_past_term: int | None = None  # a note's, from invoice_date (policies.terms)


class OrderRow(SQLModel, table=True):
    """The gateway's ledger of orders: a released order reserves credit until invoiced."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_reserved", "customer_id", "reserved"),)

    erp: str = Field(primary_key=True, max_length=32)
    order_id: str = Field(primary_key=True, max_length=64)
    customer_id: str = Field(max_length=64)
    revision: int
    status: str = Field(max_length=16)  # released | held | cancelled
    amount: Decimal = money()  # latest revision, in `currency`
    # The currency amount, invoiced and reserved are in: the customer's credit currency
    # when checked (the order's own while the customer was unknown).
    currency: str = Field(max_length=3)
    invoiced: Decimal = money()  # consumed by invoices naming the order, for good
    reserved: Decimal = money()  # what counts in other orders' exposure
    decision_id: str = Field(max_length=36)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # The latest revision's own terms: "prepaid" orders reserve nothing, and an order's
    # payment terms are checked again when a held order is re-evaluated.
    security: str | None = Field(default=None, max_length=16)
    payment_terms_days: int | None = None


class MonthlySales(SQLModel, table=True):
    """Net (VAT-exclusive) sales by month, in the customer's credit currency: DSO's base."""

    __tablename__ = "customer_sales"

    customer_id: str = Field(primary_key=True, max_length=64)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    amount: Decimal = Field(sa_column=Column(Money(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class InvoiceConsumption(SQLModel, table=True):
    """How much of an order each invoice consumed: re-sent snapshots stay idempotent."""

    __tablename__ = "invoice_consumptions"

    erp: str = Field(primary_key=True, max_length=32)
    order_id: str = Field(primary_key=True, max_length=64)
    item_id: str = Field(primary_key=True, max_length=64)
    amount: Decimal = money()


class DecisionRow(SQLModel, table=True):
    """Every answer, stored whole: the replay record and the audit of checks."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("erp", "order_id", "revision", "token_key", name="uq_decision_request"),
        Index("ix_decisions_customer_time", "customer_id", "created_at"),
    )

    decision_id: str = Field(primary_key=True, max_length=36)
    erp: str = Field(max_length=32)
    order_id: str = Field(max_length=64)
    revision: int
    token_key: str = Field(default="", max_length=64)  # fingerprint of the token, "" if none
    payload_hash: str = Field(max_length=64)
    customer_id: str = Field(max_length=64)
    outcome: str = Field(max_length=8)
    response: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # What it was decided on (gateway.recorder), JSON; None for decisions made before
    # inputs were recorded. Open items by the customer's snapshot etag, not copied.
    inputs: str | None = Field(default=None, sa_column=Column(Text()))


class SyncState(SQLModel, table=True):
    """Per ERP: who runs the sync now (a lease, so one process of many does) and how it went."""

    __tablename__ = "sync_state"

    erp: str = Field(primary_key=True, max_length=32)
    lease_holder: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    last_run_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    last_success_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    last_error: str | None = Field(default=None, max_length=500)
    customers_synced: int = 0


class AuditEventRow(SQLModel, table=True):
    """Append-only: the code has no update or delete path for this table."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_order", "erp", "order_id"),
        Index("ix_audit_customer", "customer_id", "at"),
    )

    event_id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    kind: str = Field(max_length=32)
    principal: str = Field(max_length=64)
    role: str = Field(max_length=32)
    request_id: str | None = Field(default=None, max_length=36)
    erp: str | None = Field(default=None, max_length=32)
    order_id: str | None = Field(default=None, max_length=64)
    customer_id: str | None = Field(default=None, max_length=64)
    comment: str | None = Field(default=None, sa_column=Column(Text()))
    data: str | None = Field(default=None, sa_column=Column(Text()))  # JSON
