"""Held orders get a second look when a customer's balance improves.

Called inside the transaction that applied a new snapshot (sync or push): each
held order, oldest first, is evaluated again; those that now pass are released and
reserve their amount before the next one is looked at, so together they still stay
within the limit. The caller notifies the ERPs after commit.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from gateway.customers import repository as customers_repo
from gateway.customers.service import account_of, balance_of
from gateway.orders import repository as repo
from gateway.orders.context import CheckContext
from gateway.orders.service import RequestIdentity, record_decision
from gateway.recorder.record import CheckInputs
from policies import Outcome, evaluate
from policies.money import UnsupportedCurrencyError


@dataclass(frozen=True)
class Released:
    erp: str
    order_id: str
    revision: int
    customer_id: str
    decision_id: str
    answer: bytes


def reevaluate_held(conn: Connection, customer_id: str, ctx: CheckContext) -> list[Released]:
    customer = customers_repo.get_customer(conn, customer_id, lock=True)
    if customer is None:
        return []
    held = conn.execute(
        select(repo.orders)
        .where(repo.orders.c.customer_id == customer_id, repo.orders.c.status == repo.HELD)
        .order_by(repo.orders.c.updated_at, repo.orders.c.order_id)
    ).all()
    released: list[Released] = []
    for order in held:
        # Read again: each release moves the customer's reserved total.
        customer = customers_repo.get_customer(conn, customer_id)
        assert customer is not None
        payload_hash, figured_in = _latest_request_of(conn, order)
        if figured_in != customer.currency and order.invoiced > 0:
            # Its amount and its invoiced part may be in different currencies (figured
            # while the customer was unknown, invoiced since; or a currency changed
            # before invoiced orders blocked that): left held, the ERP's next revision
            # is checked afresh. Over, never under.
            continue
        try:
            # The stored amount is in the currency it was checked in: the order's own
            # while the customer was unknown, or the customer's earlier one.
            amount = ctx.policy.fx.convert(order.amount, figured_in, customer.currency)
        except UnsupportedCurrencyError:
            continue  # no rate (any more): the ERP's next check answers 422 for it
        given: dict[str, Any] = dict(
            order_amount=amount,
            currency=customer.currency,
            account=account_of(customer),
            balance=balance_of(conn, customer, order.reserved, ctx.items),
            now=ctx.now,
            today=ctx.now.astimezone(ctx.timezone).date(),
        )
        decision = evaluate(**given, policy=ctx.policy)
        if decision.outcome is not Outcome.RELEASE:
            continue
        identity = RequestIdentity(
            order.erp,
            order.order_id,
            order.revision,
            customer_id,
            payload_hash,
            f"reevaluated:{uuid.uuid4().hex[:16]}",
        )
        inputs = CheckInputs(given, customer.items_etag)
        result = record_decision(conn, identity, order, decision, amount, ctx.now, inputs)
        released.append(
            Released(
                order.erp,
                order.order_id,
                order.revision,
                customer_id,
                result.decision_id,
                result.body,
            )
        )
    return released


def _latest_request_of(conn: Connection, order: Any) -> tuple[str, str]:
    """The hash of the ERP's request this order's latest decision answered, and the
    currency its figures (the order's stored amount among them) are in."""
    row = conn.execute(
        select(repo.decisions.c.payload_hash, repo.decisions.c.response).where(
            repo.decisions.c.decision_id == order.decision_id
        )
    ).one()
    return str(row.payload_hash), str(json.loads(row.response)["exposure"]["currency"])
