"""Customer master data and open items. Repositories never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, insert, or_, select, update

from gateway.customers.records import CustomerRecord, OpenItemRecord
from gateway.db.fast import FastStatement, Read
from gateway.db.records import as_record, as_records
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


def get_customer(
    conn: Connection, customer_id: str, *, lock: bool = False
) -> CustomerRecord | None:
    """Read a customer; with `lock`, hold its row until the transaction ends.

    The row lock is what serializes the checks of one customer on PostgreSQL
    (SQLite's BEGIN IMMEDIATE already serializes every writer).
    """
    stmt = _by_id_locked if lock and conn.dialect.name != "sqlite" else _by_id
    row = stmt.first(conn, {"cid": customer_id})
    return as_record(CustomerRecord, row) if row is not None else None


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


def items_of(conn: Connection, customer_id: str) -> list[OpenItemRecord]:
    return as_records(OpenItemRecord, _items.rows(conn, {"cid": customer_id}))


def decision_items(conn: Connection, customer_id: str) -> tuple[OpenItem, ...]:
    """The decision core's open items of the customer: built straight from the driver's
    rows (no OpenItemRecord in between: a customer may have hundreds, read per check on
    a change of its items)."""
    return open_items_from(_items.rows(conn, {"cid": customer_id}))


def open_items_from(rows: Iterable[OpenItemRecord]) -> tuple[OpenItem, ...]:
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
    stored = decision_items(conn, customer_id)
    etag = record_snapshot(conn, customer_id, current, stored, rows, as_of)
    if etag != current:
        conn.execute(
            update(customers).where(customers.c.customer_id == customer_id).values(items_etag=etag)
        )


def customers_to_review(conn: Connection, horizon: date) -> list[CustomerRecord]:
    """Customers whose review date is missing or on or before `horizon`: those with a
    date first, by it, then those without; by id within (at most 5000)."""
    c = customers
    rows = conn.execute(
        select(c)
        .where(or_(c.c.review_date.is_(None), c.c.review_date <= horizon))
        .order_by(c.c.review_date.is_(None), c.c.review_date, c.c.customer_id)
        .limit(5000)
    )
    return as_records(CustomerRecord, rows)


def list_customers(conn: Connection) -> list[CustomerRecord]:
    """Every customer, by id (read models that look at them all)."""
    rows = conn.execute(select(customers).order_by(customers.c.customer_id))
    return as_records(CustomerRecord, rows)
