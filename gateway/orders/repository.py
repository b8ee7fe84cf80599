"""The order ledger, invoice consumption and the decision records. Never commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from gateway.db.fast import FastStatement, Read
from gateway.db.records import as_record_or_none, as_records
from gateway.db.tables import Customer, DecisionRow, InvoiceConsumption, OpenItemRow, OrderRow
from gateway.db.types import Money
from gateway.orders.records import DecisionKeyRecord, DecisionRecord, OrderRecord

orders = OrderRow.__table__  # type: ignore[attr-defined]
decisions = DecisionRow.__table__  # type: ignore[attr-defined]
consumptions = InvoiceConsumption.__table__  # type: ignore[attr-defined]
open_items = OpenItemRow.__table__  # type: ignore[attr-defined]
customers = Customer.__table__  # type: ignore[attr-defined]

RELEASED, HELD, CANCELLED = "released", "held", "cancelled"

# The check's statements: built once, run on the driver (see gateway.db.fast).
_order = FastStatement(
    select(orders).where(orders.c.erp == bindparam("erp"), orders.c.order_id == bindparam("oid"))
)
# The customer's reserved total moves with each order's reservation (see `_reserve`).
_move_customer_total = FastStatement(
    update(customers)
    .where(customers.c.customer_id == bindparam("cid"))
    .values(reserved=customers.c.reserved + bindparam("delta", type_=Money()))
)
_decisions_of_revision = FastStatement(
    select(
        decisions.c.decision_id,
        decisions.c.token_key,
        decisions.c.payload_hash,
        decisions.c.response,
    ).where(
        decisions.c.erp == bindparam("erp"),
        decisions.c.order_id == bindparam("oid"),
        decisions.c.revision == bindparam("rev"),
    )
)
_DECISION_COLUMNS = (
    "decision_id",
    "erp",
    "order_id",
    "revision",
    "token_key",
    "payload_hash",
    "customer_id",
    "outcome",
    "response",
    "created_at",
    "inputs",
)
_insert_decision = FastStatement(
    insert(decisions).values({k: bindparam(k) for k in _DECISION_COLUMNS})
)
# What a check writes of an order (`invoiced` only when it first inserts the order).
_ORDER_COLUMNS = (
    "erp",
    "order_id",
    "customer_id",
    "revision",
    "status",
    "amount",
    "currency",
    "reserved",
    "decision_id",
    "updated_at",
    "security",
    "payment_terms_days",
)
_insert_order = FastStatement(
    insert(orders).values({k: bindparam(k) for k in (*_ORDER_COLUMNS, "invoiced")})
)
_update_order = FastStatement(
    update(orders)
    .where(orders.c.erp == bindparam("k_erp"), orders.c.order_id == bindparam("k_oid"))
    .values({k: bindparam(k) for k in _ORDER_COLUMNS[2:]})
)


def get_order(conn: Connection, erp: str, order_id: str) -> OrderRecord | None:
    return as_record_or_none(OrderRecord, _order.first(conn, {"erp": erp, "oid": order_id}))


def order_read(erp: str, order_id: str) -> Read:
    """`get_order`, to be sent with other reads."""
    return _order, {"erp": erp, "oid": order_id}


def decisions_read(erp: str, order_id: str, revision: int) -> Read:
    """`decisions_for`, to be sent with other reads."""
    return _decisions_of_revision, {"erp": erp, "oid": order_id, "rev": revision}


def reserving_orders(conn: Connection, customer_id: str) -> list[OrderRecord]:
    stmt = (
        select(orders)
        .where(orders.c.customer_id == customer_id, orders.c.reserved > 0)
        .order_by(orders.c.updated_at)
    )
    return as_records(OrderRecord, conn.execute(stmt))


def held_orders(conn: Connection, customer_id: str) -> list[OrderRecord]:
    """The customer's held orders, oldest first (re-evaluation releases them in turn)."""
    stmt = (
        select(orders)
        .where(orders.c.customer_id == customer_id, orders.c.status == HELD)
        .order_by(orders.c.updated_at, orders.c.order_id)
    )
    return as_records(OrderRecord, conn.execute(stmt))


def has_exposure(conn: Connection, customer_id: str) -> bool:
    """Figures stored in the customer's credit currency: reservations, what is invoiced
    of orders not cancelled (a new revision subtracts it), open items."""
    reserved = select(orders.c.order_id).where(
        orders.c.customer_id == customer_id,
        orders.c.status != CANCELLED,
        (orders.c.reserved > 0) | (orders.c.invoiced > 0),
    )
    items = select(open_items.c.item_id).where(open_items.c.customer_id == customer_id)
    return conn.execute(reserved.limit(1)).first() is not None or (
        conn.execute(items.limit(1)).first() is not None
    )


def decisions_for(
    conn: Connection, erp: str, order_id: str, revision: int
) -> list[DecisionKeyRecord]:
    rows = _decisions_of_revision.rows(conn, {"erp": erp, "oid": order_id, "rev": revision})
    return as_records(DecisionKeyRecord, rows)


def insert_decision(conn: Connection, values: dict[str, Any]) -> None:
    _insert_decision.execute(conn, values)


def save_order(conn: Connection, existing: OrderRecord | None, values: dict[str, Any]) -> None:
    # The revision's own terms: none unless given (each revision states its own).
    values = {"security": None, "payment_terms_days": None, **values}
    if existing is None:
        _insert_order.execute(conn, {"invoiced": Decimal(0), **values})
    else:
        _update_order.execute(conn, {"k_erp": values["erp"], "k_oid": values["order_id"], **values})
    before = existing.reserved if existing is not None else Decimal(0)
    _reserve(conn, values["customer_id"], before, values["reserved"])


def set_status(conn: Connection, order: OrderRecord, values: dict[str, Any]) -> None:
    """Update the stored `order` (a row as read in this transaction) with `values`."""
    conn.execute(
        update(orders)
        .where(orders.c.erp == order.erp, orders.c.order_id == order.order_id)
        .values(**values)
    )
    if "reserved" in values:
        _reserve(conn, order.customer_id, order.reserved, values["reserved"])


def _reserve(conn: Connection, customer_id: str, before: Decimal, after: Decimal) -> None:
    """Move the customer's reserved total with one order's reservation.

    Every write of `orders.reserved` goes through here, inside the transaction that
    holds the customer's lock, so the total never drifts from the ledger.
    """
    if after != before:
        _move_customer_total.execute(conn, {"cid": customer_id, "delta": after - before})


def consume_invoices(conn: Connection, customer_id: str, items: list[dict[str, Any]]) -> None:
    """Let each item that names an order consume that much of it, for good.

    An item consumes the order it consumed first, whatever it names later (counted
    against a second order, the invoice would leave exposure under). A new item
    consumes the order it names: by ERP and id, or by id alone if the customer has
    one order of that id (of any status); otherwise none (exposure over, never under).
    Consumption per (order, item) only grows: the same invoice in the next snapshot
    changes nothing, and a paid invoice (gone from the snapshot) gives nothing back.
    """
    named = [i for i in items if i["order_id"]]
    if not named:
        return
    first = _consumed_by(conn, customer_id, {i["item_id"] for i in named})
    ids = {i["order_id"] for i in named} | {order_id for _, order_id in first.values()}
    rows = as_records(
        OrderRecord,
        conn.execute(
            select(orders).where(orders.c.customer_id == customer_id, orders.c.order_id.in_(ids))
        ),
    )
    by_key = {(row.erp, row.order_id): row for row in rows}
    touched: dict[tuple[str, str], OrderRecord] = {}
    for item in named:
        if item["item_id"] in first:
            candidates = [by_key[first[item["item_id"]]]]
        else:
            candidates = [
                o
                for (erp, order_id), o in by_key.items()
                if order_id == item["order_id"] and (not item["erp"] or item["erp"] == erp)
            ]
        if len(candidates) != 1:
            continue
        order = candidates[0]
        _record_consumption(conn, order.erp, order.order_id, item["item_id"], item["amount_credit"])
        touched[(order.erp, order.order_id)] = order
    for (erp, order_id), order in touched.items():
        invoiced = consumed(conn, erp, order_id)
        set_status(
            conn,
            order,
            {
                "invoiced": invoiced,
                "reserved": reservation(
                    order.status, order.amount, invoiced, prepaid=order.security == "prepaid"
                ),
            },
        )


def _consumed_by(
    conn: Connection, customer_id: str, item_ids: set[str]
) -> dict[str, tuple[str, str]]:
    """The order (erp, id) of this customer each item consumed (by key, the first of
    two, should an earlier version have let an item consume a second order)."""
    rows = conn.execute(
        select(consumptions.c.item_id, consumptions.c.erp, consumptions.c.order_id)
        .join(
            orders,
            (orders.c.erp == consumptions.c.erp) & (orders.c.order_id == consumptions.c.order_id),
        )
        .where(orders.c.customer_id == customer_id, consumptions.c.item_id.in_(item_ids))
        .order_by(consumptions.c.erp, consumptions.c.order_id)
    ).all()
    found: dict[str, tuple[str, str]] = {}
    for row in rows:
        found.setdefault(row.item_id, (row.erp, row.order_id))
    return found


def reservation(
    status: str, amount: Decimal, invoiced: Decimal, *, prepaid: bool = False
) -> Decimal:
    """A released order reserves what is not yet invoiced; others reserve nothing, nor
    does a prepaid one (paid before shipment: no credit is used)."""
    if status != RELEASED or prepaid:
        return Decimal(0)
    return max(Decimal(0), amount - invoiced)


def consumed(conn: Connection, erp: str, order_id: str) -> Decimal:
    total = conn.execute(
        select(func.coalesce(func.sum(consumptions.c.amount), 0)).where(
            consumptions.c.erp == erp, consumptions.c.order_id == order_id
        )
    ).scalar_one()
    return _as_money(conn, total)


def _record_consumption(
    conn: Connection, erp: str, order_id: str, item_id: str, amount: Decimal
) -> None:
    key = (
        (consumptions.c.erp == erp)
        & (consumptions.c.order_id == order_id)
        & (consumptions.c.item_id == item_id)
    )
    current = conn.execute(select(consumptions.c.amount).where(key)).scalar_one_or_none()
    if current is None:
        conn.execute(
            insert(consumptions).values(erp=erp, order_id=order_id, item_id=item_id, amount=amount)
        )
    elif amount > current:
        conn.execute(update(consumptions).where(key).values(amount=amount))


def _as_money(conn: Connection, value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    result = consumptions.c.amount.type.process_result_value(value, conn.dialect)
    assert isinstance(result, Decimal)
    return result


def get_decision(conn: Connection, decision_id: str) -> DecisionRecord | None:
    row = conn.execute(select(decisions).where(decisions.c.decision_id == decision_id)).first()
    return as_record_or_none(DecisionRecord, row)


def latest_request_of(conn: Connection, order: OrderRecord) -> tuple[str, str]:
    """The hash of the ERP's request this order's latest decision answered, and the
    currency its figures (the order's stored amount among them) are in."""
    payload_hash = conn.execute(
        select(decisions.c.payload_hash).where(decisions.c.decision_id == order.decision_id)
    ).scalar_one()
    return str(payload_hash), str(order.currency)
