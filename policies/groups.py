"""Credit groups (SAP credit segment hierarchies, D365 credit groups): a member's order
is also tested against the limit its group shares. Pure: figures in, figures out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from policies.money import ZERO


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """What a member's check knows of its group, every amount in the group's currency."""

    group_id: str
    currency: str
    credit_limit: Decimal
    # The members' open items and open orders, this order's own earlier reservation
    # left out (a new revision replaces it).
    open_exposure: Decimal
    order_amount: Decimal  # this order


@dataclass(frozen=True, slots=True)
class GroupExposure:
    group_id: str
    currency: str
    credit_limit: Decimal
    total: Decimal
    available: Decimal
    over_limit: Decimal


def group_exposure(figures: GroupFigures) -> GroupExposure:
    """total = members' open items + open orders + this order; available = limit - the
    members' open items and open orders; over_limit = max(0, total - limit)."""
    total = figures.open_exposure + figures.order_amount
    return GroupExposure(
        group_id=figures.group_id,
        currency=figures.currency,
        credit_limit=figures.credit_limit,
        total=total,
        available=figures.credit_limit - figures.open_exposure,
        over_limit=max(ZERO, total - figures.credit_limit),
    )
