"""Applying one customer's snapshot: master data and open items, whole or not at all."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine

from gateway.customers import service as customers
from gateway.customers.schemas import CustomerIn, OpenItemsIn
from gateway.db.engine import write_tx
from gateway.errors import Conflict, InvalidInput
from gateway.orders.context import CheckContext
from gateway.orders.reevaluate import Released, reevaluate_held


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
        customers.upsert_customer(conn, customer_id, customer_in, ctx.policy.fx, ctx.now)
        try:
            customers.replace_open_items(conn, customer_id, items_in, ctx.policy, ctx.now)
        except InvalidInput as exc:
            raise SnapshotRejected(f"customer {customer_id}: {exc.message}") from None
        except Conflict as exc:
            if exc.code != "STALE_SNAPSHOT":
                raise
            return []  # an older pull raced a newer push: the newer one stands
        return reevaluate_held(conn, customer_id, ctx)
