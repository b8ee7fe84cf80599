"""A credit group's figures: its members' open items and open orders, each member's
converted from its credit currency into the group's. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection

from gateway.groups import repository as repo
from gateway.groups.records import GroupRecord
from policies import FxRates, GroupFigures
from policies.money import ZERO


@dataclass(frozen=True)
class MemberFigures:
    customer_id: str
    currency: str
    open_items: Decimal  # in the member's credit currency
    open_orders: Decimal
    in_group_currency: Decimal  # open items + open orders, converted


def members_of(
    conn: Connection,
    group: GroupRecord,
    fx: FxRates,
    leave_out: tuple[str, Decimal] | None = None,
) -> list[MemberFigures]:
    """Each existing member's figures; `leave_out` (customer, amount) takes a checked
    order's own earlier reservation out of that member's open orders."""
    found = []
    for row in repo.member_figures(conn, group.group_id):
        open_orders = row.reserved
        if leave_out is not None and row.customer_id == leave_out[0]:
            open_orders -= leave_out[1]
        found.append(
            MemberFigures(
                row.customer_id,
                row.currency,
                row.open_items,
                open_orders,
                fx.convert(row.open_items + open_orders, row.currency, group.currency),
            )
        )
    return found


def group_figures(
    conn: Connection,
    group: GroupRecord,
    customer_id: str,
    own_reservation: Decimal,
    order_amount: Decimal,
    order_currency: str,
    fx: FxRates,
) -> GroupFigures:
    """What a member's check of `order_amount` (in `order_currency`) knows of its group."""
    members = members_of(conn, group, fx, (customer_id, own_reservation))
    return GroupFigures(
        group_id=group.group_id,
        currency=group.currency,
        credit_limit=group.credit_limit,
        open_exposure=sum((m.in_group_currency for m in members), ZERO),
        order_amount=fx.convert(order_amount, order_currency, group.currency),
    )
