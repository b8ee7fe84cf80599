"""Customer master data and open items. Repositories never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from gateway.db.tables import Customer, OpenItemRow

customers = Customer.__table__  # type: ignore[attr-defined]
open_items = OpenItemRow.__table__  # type: ignore[attr-defined]

# Built once: constructing a statement per call costs more than running it on SQLite.
_by_id = select(customers).where(customers.c.customer_id == bindparam("cid"))
_by_id_locked = _by_id.with_for_update()
_items = (
    select(open_items)
    .where(open_items.c.customer_id == bindparam("cid"))
    .order_by(open_items.c.due_date, open_items.c.item_id)
)


def get_customer(conn: Connection, customer_id: str, *, lock: bool = False) -> Row[Any] | None:
    """Read a customer; with `lock`, hold its row until the transaction ends.

    The row lock is what serializes the checks of one customer on PostgreSQL
    (SQLite's BEGIN IMMEDIATE already serializes every writer).
    """
    stmt = _by_id_locked if lock and conn.dialect.name != "sqlite" else _by_id
    return conn.execute(stmt, {"cid": customer_id}).first()


def insert_customer(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(customers).values(**values))


def update_customer(conn: Connection, customer_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(customers).where(customers.c.customer_id == customer_id).values(**values))


def items_of(conn: Connection, customer_id: str) -> Sequence[Row[Any]]:
    return conn.execute(_items, {"cid": customer_id}).all()


def replace_items(conn: Connection, customer_id: str, rows: list[dict[str, Any]]) -> None:
    conn.execute(delete(open_items).where(open_items.c.customer_id == customer_id))
    if rows:
        conn.execute(insert(open_items), rows)
