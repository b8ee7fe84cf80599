"""Customer master data and open items. Repositories never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, exists, insert, select, update

from gateway.db.fast import FastStatement, Read
from gateway.db.tables import Customer, OpenItemRow
from gateway.recorder.record import record_snapshot
from policies import ItemKind, OpenItem

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
# The same items, unless the customer's row carries `etag` (the copy in memory is
# current then): read after the row's lock, in the same transaction.
_items_unless_etag = FastStatement(
    select(open_items)
    .where(
        open_items.c.customer_id == bindparam("cid"),
        ~exists().where(
            customers.c.customer_id == bindparam("cid"),
            customers.c.items_etag == bindparam("etag"),
        ),
    )
    .order_by(open_items.c.due_date, open_items.c.item_id)
)


def get_customer(conn: Connection, customer_id: str, *, lock: bool = False) -> Any | None:
    """Read a customer; with `lock`, hold its row until the transaction ends.

    The row lock is what serializes the checks of one customer on PostgreSQL
    (SQLite's BEGIN IMMEDIATE already serializes every writer).
    """
    stmt = _by_id_locked if lock and conn.dialect.name != "sqlite" else _by_id
    return stmt.first(conn, {"cid": customer_id})


def locked_customer_read(customer_id: str) -> Read:
    """`get_customer(..., lock=True)` on PostgreSQL, to be sent with other reads."""
    return _by_id_locked, {"cid": customer_id}


def items_unless_read(customer_id: str, etag: str | None) -> Read:
    """The customer's open items (as `items_of`), or none if its row's etag is `etag`."""
    return _items_unless_etag, {"cid": customer_id, "etag": etag}


def insert_customer(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(customers).values(**values))


def update_customer(conn: Connection, customer_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(customers).where(customers.c.customer_id == customer_id).values(**values))


def items_of(conn: Connection, customer_id: str) -> list[Any]:
    return _items.rows(conn, {"cid": customer_id})


def open_items_from(rows: Iterable[Any]) -> tuple[OpenItem, ...]:
    """The decision core's open items from stored rows (as `items_of` reads them)."""
    return tuple(
        OpenItem(r.item_id, ItemKind(r.kind), r.amount_credit, r.due_date, r.days_past_term)
        for r in rows
    )


def replace_items(
    conn: Connection, customer_id: str, rows: list[dict[str, Any]], *, as_of: datetime
) -> None:
    """Replace the customer's open items; the only writer of them (see items_cache).

    The new items are kept under their etag too (gateway.recorder): the checks decided
    on them record the etag, not a copy. A fresh etag comes with items that differ
    from the stored ones; the same items keep theirs (one stored copy per change).
    """
    current = conn.execute(
        select(customers.c.items_etag).where(customers.c.customer_id == customer_id)
    ).scalar_one_or_none()
    conn.execute(delete(open_items).where(open_items.c.customer_id == customer_id))
    if rows:
        conn.execute(insert(open_items), rows)
    stored = open_items_from(items_of(conn, customer_id))
    etag = record_snapshot(conn, customer_id, current, stored, rows, as_of)
    if etag != current:
        conn.execute(
            update(customers).where(customers.c.customer_id == customer_id).values(items_etag=etag)
        )


def list_customers(conn: Connection) -> list[Row[Any]]:
    """Every customer, by id (read models that look at them all)."""
    return list(conn.execute(select(customers).order_by(customers.c.customer_id)).all())
