"""Reads for the portfolio: every customer, their sales, the held orders. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from gateway.db.tables import Customer, MonthlySales, OrderRow

customers = Customer.__table__  # type: ignore[attr-defined]
orders = OrderRow.__table__  # type: ignore[attr-defined]
sales = MonthlySales.__table__  # type: ignore[attr-defined]
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
