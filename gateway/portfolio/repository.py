"""Reads for the portfolio: every customer, their sales, the held orders. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from gateway.db.tables import Customer, DecisionRow, MonthlySales, OrderRow
from gateway.unfreeze.tables import UnfreezeRequestRow

customers = Customer.__table__  # type: ignore[attr-defined]
orders = OrderRow.__table__  # type: ignore[attr-defined]
sales = MonthlySales.__table__  # type: ignore[attr-defined]
decisions = DecisionRow.__table__  # type: ignore[attr-defined]
requests = UnfreezeRequestRow.__table__  # type: ignore[attr-defined]
HELD = "held"


def all_customers(conn: Connection) -> list[Any]:
    return list(conn.execute(select(customers).order_by(customers.c.customer_id)).all())


def sales_by_customer(conn: Connection, months: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """customer -> month -> net sales (in the customer's credit currency)."""
    found: dict[str, dict[str, Any]] = {}
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


def held_orders(conn: Connection) -> list[Any]:
    """(customer_id, currency, amount, updated_at) of every held order."""
    return list(
        conn.execute(
            select(orders.c.customer_id, customers.c.currency, orders.c.amount, orders.c.updated_at)
            .select_from(orders.join(customers, customers.c.customer_id == orders.c.customer_id))
            .where(orders.c.status == HELD)
        ).all()
    )


def holds_between(conn: Connection, start: datetime, end: datetime) -> list[Any]:
    """(customer_id, erp, order_id, amount) of each order held by a decision in
    [start, end), once (its latest amount, in the credit currency)."""
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
    return list(
        conn.execute(
            select(held.c.customer_id, held.c.erp, held.c.order_id, orders.c.amount).select_from(
                held.join(
                    orders, (orders.c.erp == held.c.erp) & (orders.c.order_id == held.c.order_id)
                )
            )
        ).all()
    )


def unfreezes_between(conn: Connection, start: datetime, end: datetime) -> list[Any]:
    """Unfreeze requests filed or released in [start, end)."""
    u = requests
    filed = (u.c.created_at >= start) & (u.c.created_at < end)
    released = (u.c.released_at >= start) & (u.c.released_at < end)
    return list(
        conn.execute(
            select(u.c.customer_id, u.c.amount, u.c.created_at, u.c.released_at).where(
                or_(filed, released)
            )
        ).all()
    )
