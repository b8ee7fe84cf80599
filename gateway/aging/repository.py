"""Monthly net sales. Never commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from gateway.aging.records import MonthlySalesRecord
from gateway.db.records import as_records
from gateway.db.tables import MonthlySales

sales = MonthlySales.__table__  # type: ignore[attr-defined]


def put_sales(conn: Connection, customer_id: str, rows: list[dict[str, Any]]) -> None:
    """Store the months given (each replaces that month's figure; others stay)."""
    months = [r["month"] for r in rows]
    if not months:
        return
    conn.execute(delete(sales).where(sales.c.customer_id == customer_id, sales.c.month.in_(months)))
    conn.execute(insert(sales), [{"customer_id": customer_id, **r} for r in rows])


def sales_of(conn: Connection, customer_id: str, months: tuple[str, ...]) -> dict[str, Decimal]:
    rows = conn.execute(
        select(sales.c.month, sales.c.amount).where(
            sales.c.customer_id == customer_id, sales.c.month.in_(months)
        )
    ).all()
    return {r.month: r.amount for r in as_records(MonthlySalesRecord, rows)}


def all_sales_of(conn: Connection, customer_id: str) -> list[MonthlySalesRecord]:
    rows = conn.execute(
        select(sales.c.month, sales.c.amount)
        .where(sales.c.customer_id == customer_id)
        .order_by(sales.c.month)
    )
    return as_records(MonthlySalesRecord, rows)
