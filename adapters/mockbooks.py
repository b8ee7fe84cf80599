"""A mock ERP's books: customers, open items, sales orders, and the demo data set."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


@dataclass
class Customer:
    customer_id: str
    name: str
    limit: Decimal
    currency: str
    grade: str
    terms_days: int
    blocked: bool = False
    review_date: date | None = None
    # Net sales by month ("YYYY-MM" -> amount), for the gateway's DSO.
    monthly_sales: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class OpenItem:
    item_id: str
    customer_id: str
    amount: Decimal
    currency: str
    due: date
    kind: str = "invoice"
    order_id: str | None = None


@dataclass
class SalesOrder:
    order_id: str
    customer_id: str
    amount: Decimal
    currency: str
    revision: int = 1
    status: str = "new"  # new | released | blocked | check_failed
    reasons: list[str] = field(default_factory=list)
    answer: dict[str, Any] | None = None


class Faults(BaseModel):
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    error_rate: float = Field(default=0, ge=0, le=1)
    timeout_rate: float = Field(default=0, ge=0, le=1)
    drop_rate: float = Field(default=0, ge=0, le=1)
    malformed_rate: float = Field(default=0, ge=0, le=1)


class OrderIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64)
    amount: Decimal = Field(gt=0, le=Decimal(10) ** 12)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    override_token: str | None = None


class ChangeIn(BaseModel):
    amount: Decimal = Field(gt=0, le=Decimal(10) ** 12)
    override_token: str | None = None


class PaymentIn(BaseModel):
    customer_id: str
    amount: Decimal = Field(gt=0)


@dataclass
class Books:
    customers: dict[str, Customer] = field(default_factory=dict)
    items: dict[str, OpenItem] = field(default_factory=dict)
    orders: dict[str, SalesOrder] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    next_order: int = 1
    next_invoice: int = 1

    def invoice(self, order: SalesOrder, today: date) -> OpenItem:
        """Bill a released order: an open item naming it, due after the customer's terms
        (the gateway then stops reserving that much of the order)."""
        customer = self.customers.get(order.customer_id)
        terms = customer.terms_days if customer else 30
        item = OpenItem(
            f"IV{self.next_invoice:08d}",
            order.customer_id,
            order.amount,
            order.currency,
            today + timedelta(days=terms),
            order_id=order.order_id,
        )
        self.next_invoice += 1
        self.items[item.item_id] = item
        order.status = "invoiced"
        return item

    def troubled(self, customer: Customer, today: date) -> bool:
        """Whose orders a credit check holds whatever their amount: blocked, grade D, no
        limit, or an item a week past due (the demo sends them few orders)."""
        overdue = any(
            i.customer_id == customer.customer_id and i.due < today - timedelta(days=7)
            for i in self.items.values()
        )
        return customer.blocked or customer.grade == "D" or customer.limit <= 0 or overdue

    def open_amount(self, customer_id: str) -> Decimal:
        return sum(
            (i.amount for i in self.items.values() if i.customer_id == customer_id), Decimal(0)
        )

    def pay(self, customer_id: str, amount: Decimal) -> list[str]:
        """Settle the oldest items first (the seeds' rule); returns what was cleared."""
        cleared = []
        for item in sorted(
            (i for i in self.items.values() if i.customer_id == customer_id), key=lambda i: i.due
        ):
            if amount <= 0:
                break
            take = min(amount, item.amount)
            item.amount -= take
            amount -= take
            if item.amount == 0:
                del self.items[item.item_id]
                cleared.append(item.item_id)
        return cleared


def demo_books(prefix: str, currency: str, today: date, numeric: bool) -> Books:
    """A realistic mix: every grade, some overdue, some close to the limit, one blocked."""
    books = Books()
    rnd = random.Random(prefix)
    # (grade, limit, terms days, days overdue, open balance, blocked)
    plans: list[tuple[str, str, int, int, int, bool]] = [
        ("A", "250000", 45, 0, 60000, False),
        ("A", "180000", 30, 0, 150000, False),
        ("B", "80000", 30, 20, 20000, False),
        ("B", "60000", 30, 0, 52000, False),
        ("B", "50000", 30, 40, 10000, False),
        ("C", "25000", 14, 0, 5000, False),
        ("C", "20000", 14, 10, 8000, False),
        ("D", "0", 0, 0, 0, False),
        ("A", "120000", 60, 0, 0, False),
        ("B", "40000", 30, 0, 0, True),
    ]
    for n, (grade, limit, terms, overdue_days, balance, blocked) in enumerate(plans, start=1):
        cid = f"{1000000 + n}" if numeric else f"{prefix}{n:03d}"
        books.customers[cid] = Customer(
            cid,
            f"{prefix} Customer {n}",
            Decimal(limit),
            currency,
            grade,
            terms,
            blocked=blocked,
            review_date=today + timedelta(days=rnd.randint(30, 300)),
            monthly_sales=demo_sales(today, Decimal(limit), rnd),
        )
        if balance:
            due = (
                today - timedelta(days=overdue_days)
                if overdue_days
                else today + timedelta(days=terms)
            )
            item_id = f"90{n:06d}"
            books.items[item_id] = OpenItem(item_id, cid, Decimal(balance), currency, due)
    return books


def demo_sales(today: date, limit: Decimal, rnd: random.Random) -> dict[str, Decimal]:
    """Six complete months of net sales around a third of the limit (none without one)."""
    sales: dict[str, Decimal] = {}
    year, month = today.year, today.month
    for _ in range(6):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        if limit > 0:
            share = Decimal(rnd.randint(20, 45)) / 100
            sales[f"{year:04d}-{month:02d}"] = (limit * share).quantize(Decimal("1"))
    return sales
