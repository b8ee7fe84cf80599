"""Customer master data and open items. Repositories never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from gateway.db.tables import Customer, OpenItemRow

customers = Customer.__table__  # type: ignore[attr-defined]
open_items = OpenItemRow.__table__  # type: ignore[attr-defined]


def get_customer(conn: Connection, customer_id: str, *, lock: bool = False) -> Row[Any] | None:
    """Read a customer; with `lock`, hold its row until the transaction ends.

    The row lock is what serializes the checks of one customer on PostgreSQL
    (SQLite's BEGIN IMMEDIATE already serializes every writer).
    """
    stmt = select(customers).where(customers.c.customer_id == customer_id)
    if lock and conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def insert_customer(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(customers).values(**values))


def update_customer(conn: Connection, customer_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(customers).where(customers.c.customer_id == customer_id).values(**values))


def items_of(conn: Connection, customer_id: str) -> Sequence[Row[Any]]:
    stmt = (
        select(open_items)
        .where(open_items.c.customer_id == customer_id)
        .order_by(open_items.c.due_date, open_items.c.item_id)
    )
    return conn.execute(stmt).all()


def replace_items(conn: Connection, customer_id: str, rows: list[dict[str, Any]]) -> None:
    conn.execute(delete(open_items).where(open_items.c.customer_id == customer_id))
    if rows:
        conn.execute(insert(open_items), rows)
