"""Reads for the portfolio: every customer, their sales, the held orders. Never commits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, or_, select

from gateway.customers.records import CustomerRecord
from gateway.db.records import as_records
from gateway.db.tables import Customer, DecisionRow, MonthlySales, OrderRow
from gateway.portfolio.records import HeldOrderRecord, HoldRecord, UnfreezeDatesRecord
from gateway.unfreeze.tables import UnfreezeRequestRow

customers = Customer.__table__  # type: ignore[attr-defined]
orders = OrderRow.__table__  # type: ignore[attr-defined]
sales = MonthlySales.__table__  # type: ignore[attr-defined]
decisions = DecisionRow.__table__  # type: ignore[attr-defined]
requests = UnfreezeRequestRow.__table__  # type: ignore[attr-defined]
HELD = "held"


def all_customers(conn: Connection) -> list[CustomerRecord]:
    rows = conn.execute(select(customers).order_by(customers.c.customer_id))
    return as_records(CustomerRecord, rows)


def sales_by_customer(conn: Connection, months: tuple[str, ...]) -> dict[str, dict[str, Decimal]]:
    """customer -> month -> net sales (in the customer's credit currency)."""
    found: dict[str, dict[str, Decimal]] = {}
    if not months:
        return found
    rows = conn.execute(
        select(sales.c.customer_id, sales.c.month, sales.c.amount).where(
            sales.c.month.in_(list(months))
        )
    ).all()
    for r in rows:
        found.setdefault(r.customer_id, {})[r.month] = r.amount
    return found


def held_orders(conn: Connection) -> list[HeldOrderRecord]:
    """Every held order."""
    rows = conn.execute(
        select(orders.c.customer_id, customers.c.currency, orders.c.amount, orders.c.updated_at)
        .select_from(orders.join(customers, customers.c.customer_id == orders.c.customer_id))
        .where(orders.c.status == HELD)
    )
    return as_records(HeldOrderRecord, rows)


def holds_between(conn: Connection, start: datetime, end: datetime) -> list[HoldRecord]:
    """Each order held by a decision in [start, end), once (its latest amount)."""
    held = (
        select(decisions.c.customer_id, decisions.c.erp, decisions.c.order_id)
        .where(
            decisions.c.outcome == "hold",
            decisions.c.created_at >= start,
            decisions.c.created_at < end,
        )
        .distinct()
        .subquery()
    )
    rows = conn.execute(
        select(held.c.customer_id, held.c.erp, held.c.order_id, orders.c.amount).select_from(
            held.join(orders, (orders.c.erp == held.c.erp) & (orders.c.order_id == held.c.order_id))
        )
    )
    return as_records(HoldRecord, rows)


def unfreezes_between(
    conn: Connection, start: datetime, end: datetime
) -> list[UnfreezeDatesRecord]:
    """Unfreeze requests filed or released in [start, end)."""
    u = requests
    filed = (u.c.created_at >= start) & (u.c.created_at < end)
    released = (u.c.released_at >= start) & (u.c.released_at < end)
    rows = conn.execute(
        select(u.c.customer_id, u.c.amount, u.c.created_at, u.c.released_at).where(
            or_(filed, released)
        )
    )
    return as_records(UnfreezeDatesRecord, rows)
