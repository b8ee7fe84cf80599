"""Customer master data and open items. Repositories never commit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from gateway.db.fast import FastStatement
from gateway.db.tables import Customer, OpenItemRow

customers = Customer.__table__  # type: ignore[attr-defined]
open_items = OpenItemRow.__table__  # type: ignore[attr-defined]

# The check's statements: built once, run on the driver (see gateway.db.fast).
_by_id_stmt = select(customers).where(customers.c.customer_id == bindparam("cid"))
_by_id = FastStatement(_by_id_stmt)
_by_id_locked = FastStatement(_by_id_stmt.with_for_update())
_items = FastStatement(
    select(open_items)
    .where(open_items.c.customer_id == bindparam("cid"))
    .order_by(open_items.c.due_date, open_items.c.item_id)
)


def get_customer(conn: Connection, customer_id: str, *, lock: bool = False) -> Any | None:
    """Read a customer; with `lock`, hold its row until the transaction ends.

    The row lock is what serializes the checks of one customer on PostgreSQL
    (SQLite's BEGIN IMMEDIATE already serializes every writer).
    """
    stmt = _by_id_locked if lock and conn.dialect.name != "sqlite" else _by_id
    return stmt.first(conn, {"cid": customer_id})


def insert_customer(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(customers).values(**values))


def update_customer(conn: Connection, customer_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(customers).where(customers.c.customer_id == customer_id).values(**values))


def items_of(conn: Connection, customer_id: str) -> list[Any]:
    return _items.rows(conn, {"cid": customer_id})


def replace_items(conn: Connection, customer_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace the customer's open items; the only writer of them (see items_cache)."""
    conn.execute(delete(open_items).where(open_items.c.customer_id == customer_id))
    if rows:
        conn.execute(insert(open_items), rows)
    conn.execute(
        update(customers)
        .where(customers.c.customer_id == customer_id)
        .values(items_etag=uuid.uuid4().hex)
    )
