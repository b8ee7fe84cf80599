"""What a check reads before it decides, read one of two ways.

- `read_in_turn` (SQLite, and PostgreSQL's general path): the customer's scope (its
  credit group, locked first on PostgreSQL), the customer's row (locked), the order;
  whatever else the decision needs is read when it is needed, as it always was.
- `read_ahead` (PostgreSQL's ordinary check, in a `gateway.db.pipeline.pipelined_tx`):
  with BEGIN, in one round trip, in the same order of locks (group, then customer):
  the customer's group's row FOR UPDATE (by the membership the statement reads), the
  customer's row FOR UPDATE, its group again (confirmed after the lock, as
  `group_fx.confirm` does), the order, the decisions of this revision, the open items
  unless the copy in memory is current, the customer's open watches.

Either way the decision is made by the same code (`gateway.orders.service.decide`),
which takes what was read ahead and reads the rest itself (a group's member figures,
a token, release validity: a round trip each on PostgreSQL).

`read_ahead` is for customers this process has seen outside any credit group
(`OutsideGroups`): the first check of a customer in a process, and every check of a
group's member, read in turn, the group first, as they always did. The hint only
chooses the way: a customer that joined a group since is still checked in it (its
group's row is locked by the membership read after any commit before the statement,
and confirmed after the customer's lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from gateway.customers import repository as customers_repo
from gateway.customers.records import CustomerRecord
from gateway.db.pipeline import read_together
from gateway.db.records import as_record_or_none, as_records
from gateway.groups import repository as groups_repo
from gateway.orders import group_fx
from gateway.orders import repository as repo
from gateway.orders.context import CheckContext
from gateway.orders.records import DecisionKeyRecord, OrderRecord
from gateway.orders.schemas import CheckIn
from policies import OpenItem


@dataclass(frozen=True)
class CheckReads:
    """The check's reads; None for what was not read ahead (read when needed)."""

    scope: group_fx.CheckScope
    customer: CustomerRecord | None
    order: OrderRecord | None
    decisions: list[DecisionKeyRecord] | None = None  # of the checked revision
    items: tuple[OpenItem, ...] | None = None  # the customer's open items
    # The customer's open watches, as read: `gateway.unfreeze` (above this package) reads them.
    watches: list[Any] | None = None


def read_in_turn(conn: Connection, body: CheckIn) -> CheckReads:
    # A group member's check locks the group first: checks of its members serialize.
    scope = group_fx.scope_of(conn, body.customer_id)
    customer = customers_repo.get_customer(conn, body.customer_id, lock=True)
    group_fx.confirm(conn, scope, body.customer_id)
    order = repo.get_order(conn, body.erp, body.order_id)
    return CheckReads(scope, customer, order)


def read_ahead(conn: Connection, body: CheckIn, ctx: CheckContext) -> CheckReads:
    """Everything an ordinary check reads, with BEGIN, in one round trip (PostgreSQL)."""
    cid = body.customer_id
    cached_etag = ctx.items.etag_of(cid) if ctx.items is not None else None
    reads = [
        groups_repo.locked_group_of_read(cid),
        customers_repo.locked_customer_read(cid),
        group_fx.probe_read(cid),
        repo.order_read(body.erp, body.order_id),
        repo.decisions_read(body.erp, body.order_id, body.revision),
        customers_repo.items_unless_read(cid, cached_etag),
    ]
    if ctx.watch is not None:
        reads.append(ctx.watch.open_watches_read(cid))
    group, customer, probe, order, decisions, items, *watches = read_together(conn, reads)
    scope = group_fx.scope_read_ahead(probe.first(), group.first())
    row = as_record_or_none(CustomerRecord, customer.first())
    return CheckReads(
        scope,
        row,
        as_record_or_none(OrderRecord, order.first()),
        as_records(DecisionKeyRecord, decisions.rows()),
        _open_items(ctx, row, cached_etag, items.rows()),
        watches[0].rows() if watches else None,
    )


def _open_items(
    ctx: CheckContext, row: CustomerRecord | None, cached_etag: str | None, rows: list[Any]
) -> tuple[OpenItem, ...] | None:
    """The customer's open items: the copy in memory if the row's etag is its etag
    (then none were read), else those read (and kept in memory under the row's etag)."""
    if row is None:
        return None
    if ctx.items is not None and cached_etag is not None and row.items_etag == cached_etag:
        cached = ctx.items.get(row.customer_id, cached_etag)
        if cached is not None:
            return cached
        return None  # dropped from memory meanwhile: read when needed
    items = customers_repo.open_items_from(rows)
    if ctx.items is not None:
        ctx.items.put(row.customer_id, row.items_etag, items)
    return items
