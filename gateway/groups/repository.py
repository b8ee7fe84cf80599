"""Credit groups, their members and the members' figures. Never commits.

On PostgreSQL a member's check locks its group's row before the customer's row (and
everything that locks a group does so first, then customers in customer-id order), so
checks of different members are serialized on the group; SQLite's write lock already
serializes every writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, type_coerce, update

from gateway.db.fast import FastStatement, Read
from gateway.db.records import as_record, as_records
from gateway.db.tables import Customer, OpenItemRow
from gateway.db.types import Money
from gateway.groups.records import GroupRecord, MemberLedgerRecord
from gateway.groups.tables import CreditGroupMemberRow, CreditGroupRow

groups = CreditGroupRow.__table__  # type: ignore[attr-defined]
members = CreditGroupMemberRow.__table__  # type: ignore[attr-defined]
customers = Customer.__table__  # type: ignore[attr-defined]
open_items = OpenItemRow.__table__  # type: ignore[attr-defined]

_group_stmt = select(groups).where(groups.c.group_id == bindparam("gid"))
_group = FastStatement(_group_stmt)
_group_locked = FastStatement(_group_stmt.with_for_update())
_membership = FastStatement(
    select(members.c.group_id).where(members.c.customer_id == bindparam("cid"))
)
_items_total = (
    select(type_coerce(func.coalesce(func.sum(open_items.c.amount_credit), 0), Money()))
    .where(open_items.c.customer_id == customers.c.customer_id)
    .scalar_subquery()
)
# Each member's figures in its own credit currency: open items and reservations.
_member_figures = FastStatement(
    select(
        customers.c.customer_id,
        customers.c.currency,
        customers.c.reserved,
        type_coerce(_items_total, Money()).label("open_items"),
    )
    .select_from(members.join(customers, customers.c.customer_id == members.c.customer_id))
    .where(members.c.group_id == bindparam("gid"))
    .order_by(customers.c.customer_id)
)
# `lock_group_of` in one statement, for reads sent together before the group is known.
_group_of_customer_locked = FastStatement(
    select(groups)
    .where(
        groups.c.group_id
        == select(members.c.group_id)
        .where(members.c.customer_id == bindparam("cid"))
        .scalar_subquery()
    )
    .with_for_update()
)


def get_group(conn: Connection, group_id: str, *, lock: bool = False) -> GroupRecord | None:
    """A group's row; with `lock` (PostgreSQL), held until the transaction ends."""
    stmt = _group_locked if lock and conn.dialect.name != "sqlite" else _group
    row = stmt.first(conn, {"gid": group_id})
    return as_record(GroupRecord, row) if row is not None else None


def locked_group_of_read(customer_id: str) -> Read:
    """`lock_group_of` in one statement, to be sent with other reads (PostgreSQL)."""
    return _group_of_customer_locked, {"cid": customer_id}


def group_id_of(conn: Connection, customer_id: str) -> str | None:
    row = _membership.first(conn, {"cid": customer_id})
    return str(row.group_id) if row is not None else None


def lock_group_of(conn: Connection, customer_id: str) -> GroupRecord | None:
    """Lock the customer's group (if any) before the customer's row is locked: what
    every writer that may go on to re-evaluate a member's held orders calls first."""
    group_id = group_id_of(conn, customer_id)
    return get_group(conn, group_id, lock=True) if group_id is not None else None


def member_ids(conn: Connection, group_id: str) -> list[str]:
    rows = conn.execute(
        select(members.c.customer_id)
        .where(members.c.group_id == group_id)
        .order_by(members.c.customer_id)
    ).all()
    return [str(r.customer_id) for r in rows]


def member_figures(conn: Connection, group_id: str) -> list[MemberLedgerRecord]:
    """Each existing member's figures, by customer id."""
    return as_records(MemberLedgerRecord, _member_figures.rows(conn, {"gid": group_id}))


def memberships(conn: Connection, customer_ids: Sequence[str]) -> dict[str, str]:
    """customer -> group for those of `customer_ids` that are in a group."""
    if not customer_ids:
        return {}
    rows = conn.execute(
        select(members.c.customer_id, members.c.group_id).where(
            members.c.customer_id.in_(list(customer_ids))
        )
    ).all()
    return {str(r.customer_id): str(r.group_id) for r in rows}


def insert_group(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(groups).values(**values))


def update_group(conn: Connection, group_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(groups).where(groups.c.group_id == group_id).values(**values))


def set_members(conn: Connection, group_id: str, removed: set[str], added: set[str]) -> None:
    if removed:
        conn.execute(
            delete(members).where(
                members.c.group_id == group_id, members.c.customer_id.in_(sorted(removed))
            )
        )
    if added:
        conn.execute(
            insert(members), [{"customer_id": c, "group_id": group_id} for c in sorted(added)]
        )
