"""Credit groups: the group's PUT (members in at most one group) and its figures, each in
a transaction of its own on the unit of work."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from gateway import audit
from gateway.auth import Principal
from gateway.customers import repository as customers_repo
from gateway.db.uow import UnitOfWork
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.fx.cache import FxCache, current_rates
from gateway.groups import repository as repo
from gateway.groups.figures import members_of
from gateway.groups.schemas import CreditGroupIn
from gateway.validation import require_currency, require_precision
from policies import FxRates
from policies.money import ZERO, quantize


def store_group(
    uow: UnitOfWork,
    group_id: str,
    body: CreditGroupIn,
    rates: FxCache,
    fx: FxRates,
    who: Principal,
    now: datetime,
    today: date,
) -> dict[str, Any]:
    """Create or replace the group; answered with its view as committed."""
    with uow.write() as conn:
        put_group(conn, group_id, body, fx, who, now)
        return _view_on(conn, group_id, rates, fx, today)


def show_group(
    uow: UnitOfWork, group_id: str, rates: FxCache, fx: FxRates, today: date
) -> dict[str, Any]:
    with uow.read() as conn:
        return _view_on(conn, group_id, rates, fx, today)


def _view_on(
    conn: Connection, group_id: str, rates: FxCache, fx: FxRates, today: date
) -> dict[str, Any]:
    dated = current_rates(conn, rates, fx)
    return group_view(conn, group_id, rates.on(dated, today), today)


def put_group(
    conn: Connection,
    group_id: str,
    body: CreditGroupIn,
    fx: FxRates,
    who: Principal,
    now: datetime,
) -> None:
    # Reports and approval tiers are in the base: the group's currency must convert.
    require_currency(body.currency, "body.currency", fx, fx.base)
    require_precision(body.credit_limit, body.currency, "body.credit_limit")
    wanted = _members(body.members)
    existing = repo.get_group(conn, group_id, lock=True)
    elsewhere = {c: g for c, g in repo.memberships(conn, sorted(wanted)).items() if g != group_id}
    if elsewhere:
        raise Conflict(
            "a customer is in at most one credit group: "
            + ", ".join(f"{c} is in {g}" for c, g in sorted(elsewhere.items())),
            code="CUSTOMER_IN_OTHER_GROUP",
            details=[{"customer_id": c, "group_id": g} for c, g in sorted(elsewhere.items())],
        )
    current = set(repo.member_ids(conn, group_id)) if existing is not None else set()
    added = wanted - current
    # Wait for checks of the customers joining (their row locks, in id order): a
    # reservation they are making counts in the group's figures once this commits.
    for customer_id in sorted(added):
        customers_repo.get_customer(conn, customer_id, lock=True)
    values = {
        "name": body.name,
        "credit_limit": body.credit_limit,
        "currency": body.currency,
        "updated_at": now,
    }
    if existing is None:
        repo.insert_group(conn, {"group_id": group_id, **values})
    else:
        repo.update_group(conn, group_id, values)
    repo.set_members(conn, group_id, current - wanted, added)
    before = (
        {
            "name": existing.name,
            "credit_limit": str(quantize(existing.credit_limit, existing.currency)),
            "currency": existing.currency,
            "members": sorted(current),
        }
        if existing is not None
        else None
    )
    after = {
        "name": body.name,
        "credit_limit": str(quantize(body.credit_limit, body.currency)),
        "currency": body.currency,
        "members": sorted(wanted),
    }
    if before != after:
        audit.append(
            conn,
            at=now,
            kind="credit_group_changed",
            principal=who.name,
            role=who.role.value,
            data={"group_id": group_id, "before": before, "after": after},
        )


def _members(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for n, customer_id in enumerate(ids):
        if customer_id in seen:
            field = f"body.members.{n}"
            raise InvalidInput(
                f"{field}: customer {customer_id} is listed twice",
                code="DUPLICATE_MEMBER",
                details=[{"field": field, "message": "duplicate member"}],
            )
        seen.add(customer_id)
    return seen


def group_view(conn: Connection, group_id: str, fx: FxRates, today: date) -> dict[str, Any]:
    """The group, its members and its figures (members' open items and open orders
    converted at the rates of `today`; `fx` are those rates)."""
    group = repo.get_group(conn, group_id)
    if group is None:
        raise NotFound(f"credit group {group_id} is unknown", code="CREDIT_GROUP_NOT_FOUND")
    cur = group.currency
    figures = members_of(conn, group, fx)
    open_items = sum((fx.convert(m.open_items, m.currency, cur) for m in figures), ZERO)
    total = sum((m.in_group_currency for m in figures), ZERO)

    def m(amount: Any) -> str:
        return str(quantize(amount, cur))

    exposure = {
        "open_items": m(open_items),
        "open_orders": m(total - open_items),
        "total": m(total),
        "available": m(group.credit_limit - total),
        "over_limit": m(max(ZERO, total - group.credit_limit)),
    }
    return {
        "group_id": group.group_id,
        "name": group.name,
        "credit_limit": m(group.credit_limit),
        "currency": cur,
        "members": repo.member_ids(conn, group_id),
        # The figures at the top, as a check's exposure.group has them, and again with
        # their currency and day, as a customer's exposure has them.
        **exposure,
        "exposure": {
            "currency": cur,
            "credit_limit": m(group.credit_limit),
            **exposure,
            "as_of": today.isoformat(),
        },
        "member_exposure": [
            {
                "customer_id": f.customer_id,
                "currency": f.currency,
                "open_items": str(quantize(f.open_items, f.currency)),
                "open_orders": str(quantize(f.open_orders, f.currency)),
                "total_in_group_currency": m(f.in_group_currency),
            }
            for f in figures
        ],
        "updated_at": group.updated_at.isoformat(),
    }
