"""The writes that touch several ledgers: master data (whose currency may not change
under open orders or approvals), open-item snapshots (which consume the invoiced part of
orders' reservations), and a pulled snapshot applied whole. Each runs in the
transaction it is given, or (apply_snapshot) opens its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, Row

from gateway import audit
from gateway.auth import Principal
from gateway.balances.reevaluate import Released, reevaluate_held
from gateway.customers import repository as repo
from gateway.customers.schemas import CustomerIn, OpenItemsIn
from gateway.customers.service import customer_view
from gateway.db.engine import write_tx
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.orders import repository as orders_repo
from gateway.orders.context import CheckContext
from gateway.unfreeze import repository as unfreeze_repo
from gateway.validation import require_currency, require_precision
from policies import FxRates, Policy


class SnapshotRejected(Exception):
    """The ERP sent data the gateway will not store (a permanent error, not retried)."""


def apply_snapshot(
    engine: Engine,
    ctx: CheckContext,
    customer_id: str,
    master: dict[str, Any],
    items: dict[str, Any],
) -> list[Released]:
    try:
        customer_in = CustomerIn.model_validate(master)
        items_in = OpenItemsIn.model_validate(items)
    except ValidationError as exc:
        raise SnapshotRejected(f"customer {customer_id}: {exc.errors()[0]['msg']}") from None
    with write_tx(engine) as conn:
        upsert_customer(conn, customer_id, customer_in, ctx.policy.fx, ctx.now)
        try:
            replace_open_items(conn, customer_id, items_in, ctx.policy, ctx.now)
        except InvalidInput as exc:
            raise SnapshotRejected(f"customer {customer_id}: {exc.message}") from None
        except Conflict as exc:
            if exc.code != "STALE_SNAPSHOT":
                raise
            return []  # an older pull raced a newer push: the newer one stands
        return reevaluate_held(conn, customer_id, ctx)


def upsert_customer(
    conn: Connection, customer_id: str, body: CustomerIn, fx: FxRates, now: datetime
) -> dict[str, Any]:
    # The credit currency must convert to the FX base: approval tiers and reports are in
    # the base, and an unfreeze request for such a customer would otherwise fail later.
    require_currency(body.currency, "body.currency", fx, fx.base)
    require_precision(body.credit_limit, body.currency, "body.credit_limit")
    values = body.model_dump()
    values["grade"] = body.grade.value
    values["updated_at"] = now
    existing = repo.get_customer(conn, customer_id, lock=True)
    if existing is None:
        repo.insert_customer(conn, {"customer_id": customer_id, **values})
    else:
        if existing.currency != body.currency and (
            orders_repo.has_exposure(conn, customer_id)
            or unfreeze_repo.has_open_approvals(conn, customer_id, now)
        ):
            # Reservations, invoiced parts, items and approvals are stored in the old
            # currency: converting them silently would change figures credit control
            # has already seen, and mixing them would miscount the exposure.
            raise Conflict(
                f"customer {customer_id} has open items, orders or approvals in "
                f"{existing.currency}; its credit currency cannot change until they are "
                "settled",
                code="CURRENCY_CHANGE_NOT_ALLOWED",
            )
        repo.update_customer(conn, customer_id, values)
    row = repo.get_customer(conn, customer_id)
    assert row is not None
    return customer_view(row)


def replace_open_items(
    conn: Connection,
    customer_id: str,
    body: OpenItemsIn,
    policy: Policy,
    now: datetime,
    *,
    forced_by: Principal | None = None,
) -> dict[str, Any]:
    """Replace the customer's open items with the snapshot in `body`.

    A snapshot older than the stored one is refused (STALE_SNAPSHOT) unless an admin
    forces it (`forced_by`, audited): the way to repair a snapshot that was wrongly
    accepted, e.g. one dated in the future before AS_OF_IN_FUTURE existed.
    """
    if body.as_of > now + policy.max_clock_skew:
        raise InvalidInput(
            f"snapshot as of {body.as_of.isoformat()} is dated in the future (the gateway's "
            f"clock reads {now.isoformat()}; at most {policy.max_clock_skew} ahead is taken)",
            code="AS_OF_IN_FUTURE",
            details=[{"field": "body.as_of", "message": "in the future"}],
        )
    customer = repo.get_customer(conn, customer_id, lock=True)
    if customer is None:
        raise NotFound(
            f"customer {customer_id} is unknown: send its master data first",
            code="CUSTOMER_NOT_FOUND",
        )
    stored = customer.snapshot_as_of
    if forced_by is None and stored is not None and body.as_of < stored:
        raise Conflict(
            f"snapshot as of {body.as_of.isoformat()} is older than the stored one "
            f"({stored.isoformat()}); ignored",
            code="STALE_SNAPSHOT",
        )
    rows = _item_rows(customer, body, policy.fx)
    repo.replace_items(conn, customer_id, rows, as_of=body.as_of)
    orders_repo.consume_invoices(conn, customer_id, rows)
    repo.update_customer(conn, customer_id, {"snapshot_as_of": body.as_of})
    if forced_by is not None:
        audit.append(
            conn,
            at=now,
            kind="snapshot_forced",
            principal=forced_by.name,
            role=forced_by.role.value,
            customer_id=customer_id,
            data={
                "previous_as_of": stored.isoformat() if stored else None,
                "as_of": body.as_of.isoformat(),
                "items": len(rows),
            },
        )
    return {"customer_id": customer_id, "as_of": body.as_of.isoformat(), "items": len(rows)}


def _item_rows(customer: Row[Any], body: OpenItemsIn, fx: FxRates) -> list[dict[str, Any]]:
    seen: set[str] = set()
    rows = []
    for n, item in enumerate(body.items):
        field = f"body.items.{n}"
        if item.item_id in seen:
            raise_duplicate(field, item.item_id)
        seen.add(item.item_id)
        require_currency(item.currency, f"{field}.currency", fx, customer.currency)
        require_precision(item.amount, item.currency, f"{field}.amount")
        rows.append(
            {
                "customer_id": customer.customer_id,
                "item_id": item.item_id,
                "kind": item.kind,
                "amount": item.amount,
                "currency": item.currency,
                "amount_credit": fx.convert(item.amount, item.currency, customer.currency),
                "due_date": item.due_date,
                "erp": item.erp,
                "order_id": item.order_id,
            }
        )
    return rows


def raise_duplicate(field: str, item_id: str) -> None:
    raise InvalidInput(
        f"{field}.item_id: item {item_id} appears twice in the snapshot",
        code="DUPLICATE_ITEM",
        details=[{"field": f"{field}.item_id", "message": "duplicate item_id"}],
    )
