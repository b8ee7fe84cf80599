"""Held orders get a second look when a customer's balance improves.

Called inside the transaction that applied a new snapshot (sync or push): each
held order, oldest first, is evaluated again; those that now pass are released and
reserve their amount before the next one is looked at, so together they still stay
within the limit. The caller notifies the ERPs after commit. A credit group's member
paying makes room in the group: every member's held orders get that look, each
decided with the group's figures as they stand after the releases before it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection

from gateway.customers import repository as customers_repo
from gateway.customers.service import account_of, balance_of
from gateway.fx.cache import current_rates
from gateway.groups import repository as groups_repo
from gateway.groups.figures import group_figures
from gateway.groups.records import GroupRecord
from gateway.orders import repository as repo
from gateway.orders.context import CheckContext
from gateway.orders.notify import Released
from gateway.orders.service import PREPAID, OrderTerms, RequestIdentity, record_decision
from gateway.recorder.record import CheckInputs
from policies import FxRates, Outcome, evaluate
from policies.money import UnsupportedCurrencyError
from policies.release import Watches, apply_controls


def reevaluate_held(conn: Connection, customer_id: str, ctx: CheckContext) -> list[Released]:
    """The customer's held orders, or, for a credit group's member, every member's."""
    group = groups_repo.lock_group_of(conn, customer_id)  # the group before customers
    if group is None:
        return _reevaluate_customer(conn, customer_id, ctx, None, ctx.policy.fx)
    today = ctx.now.astimezone(ctx.timezone).date()
    dated = current_rates(conn, ctx.fx_rates, ctx.policy.fx)
    fx = ctx.fx_rates.on(dated, today) if ctx.fx_rates is not None else dated.on(today)
    released: list[Released] = []
    for member in groups_repo.member_ids(conn, group.group_id):  # in customer-id order
        released += _reevaluate_customer(conn, member, ctx, group, fx)
    return released


def _reevaluate_customer(
    conn: Connection, customer_id: str, ctx: CheckContext, group: GroupRecord | None, fx: FxRates
) -> list[Released]:
    customer = customers_repo.get_customer(conn, customer_id, lock=True)
    if customer is None:
        return []
    held = repo.held_orders(conn, customer_id)
    released: list[Released] = []
    for order in held:
        # Read again: each release moves the customer's reserved total.
        customer = customers_repo.get_customer(conn, customer_id)
        assert customer is not None
        payload_hash, figured_in = repo.latest_request_of(conn, order)
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
        today = ctx.now.astimezone(ctx.timezone).date()
        # What evaluate is given, recorded as given (gateway.recorder): `policy` apart.
        given: dict[str, Any] = dict(
            order_amount=amount,
            currency=customer.currency,
            account=account_of(customer, today),
            balance=balance_of(conn, customer, order.reserved, ctx.items),
            now=ctx.now,
            today=today,
            group=(
                group_figures(
                    conn, group, customer_id, order.reserved, amount, customer.currency, fx
                )
                if group is not None
                else None
            ),
            prepaid=order.security == PREPAID,
            order_terms_days=order.payment_terms_days,
        )
        decision = evaluate(**given, policy=ctx.policy)
        watches: Watches | None = None
        if ctx.watch is not None:
            # What earlier releases watch (an unconfirmed payment, a plan behind) holds
            # here as on a check.
            watches = ctx.watch.watches(conn, customer_id, decision.exposure, ctx.now)
            decision = apply_controls(decision, watches)
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
        terms = OrderTerms(order.security, order.payment_terms_days)
        inputs = CheckInputs(given, customer.items_etag, watches=watches)
        result = record_decision(conn, identity, order, decision, amount, ctx.now, terms, inputs)
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
