"""Read models for the console pages (no writes here)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, exists, func, or_, select

from gateway.console.i18n import N_
from gateway.customers import repository as customers_repo
from gateway.customers.service import account_of, balance_of
from gateway.orders import repository as orders_repo
from gateway.unfreeze import repository as unfreeze_repo
from policies import compute_exposure
from policies.aging import aging
from policies.money import quantize


@dataclass(frozen=True)
class HeldOrder:
    erp: str
    order_id: str
    revision: int
    customer_id: str
    customer_name: str | None
    amount: str
    currency: str
    reasons: list[dict[str, str]]
    decided_at: str
    request_id: str | None  # the order's latest unfreeze request, whatever its status
    request_status: str | None
    mine: bool  # the reader filed that request


SORTS = {
    "newest": N_("newest first"),
    "oldest": N_("oldest first"),
    "amount": N_("largest amount first"),
    "customer": N_("by customer"),
}


@dataclass(frozen=True)
class HeldQuery:
    """The held-orders workbench's question, as its URL carries it."""

    search: str = ""  # order number, customer id or customer name (a part of one)
    customer: str = ""  # exactly this customer
    erp: str = ""
    reason: str = ""
    sort: str = "newest"
    page: int = 1
    per_page: int = 50
    requester: str | None = None  # a sales rep: their own requests come first


def held_orders(conn: Connection, q: HeldQuery) -> tuple[list[HeldOrder], int]:
    """One page of held orders and how many there are in all."""
    o, d, c = orders_repo.orders, orders_repo.decisions, customers_repo.customers
    r = unfreeze_repo.requests

    def latest(column: Any) -> Any:
        """The order's latest unfreeze request's `column`."""
        return (
            select(column)
            .where(r.c.erp == o.c.erp, r.c.order_id == o.c.order_id)
            .order_by(r.c.created_at.desc())
            .limit(1)
            .correlate(o)
            .scalar_subquery()
        )

    conditions = [o.c.status == orders_repo.HELD]
    if q.erp:
        conditions.append(o.c.erp == q.erp)
    if q.reason:
        # Reason codes are UPPER_SNAKE and the stored answer is compact JSON.
        conditions.append(d.c.response.contains(f'"code":"{q.reason}"', autoescape=True))
    if q.customer:
        conditions.append(o.c.customer_id == q.customer)
    if q.search:
        needle = q.search.lower()
        conditions.append(
            or_(
                *(
                    func.lower(column).contains(needle, autoescape=True)
                    for column in (o.c.order_id, o.c.customer_id, c.c.name)
                )
            )
        )
    joined = o.join(d, d.c.decision_id == o.c.decision_id).outerjoin(
        c, c.c.customer_id == o.c.customer_id
    )
    total = conn.execute(select(func.count()).select_from(joined).where(*conditions)).scalar_one()
    order_by: list[Any] = []
    if q.requester:
        mine = exists(
            select(r.c.request_id).where(
                r.c.erp == o.c.erp,
                r.c.order_id == o.c.order_id,
                r.c.requester == q.requester,
                r.c.status.in_(("pending", "approved")),
            )
        )
        order_by.append(case((mine, 0), else_=1))
    # Decision ids are time-ordered: they break ties of the same instant.
    newest = [d.c.created_at.desc(), d.c.decision_id.desc()]
    order_by += {
        "oldest": [d.c.created_at.asc(), d.c.decision_id.asc()],
        "amount": [o.c.amount.desc(), *newest],
        "customer": [c.c.name.asc(), o.c.customer_id.asc(), *newest],
    }.get(q.sort, newest)
    stmt = (
        select(
            o.c.erp,
            o.c.order_id,
            o.c.revision,
            o.c.customer_id,
            c.c.name,
            d.c.response,
            latest(r.c.request_id).label("request_id"),
            latest(r.c.status).label("request_status"),
            latest(r.c.requester).label("requester"),
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(*order_by, o.c.erp, o.c.order_id)
        .limit(q.per_page)
        .offset((max(q.page, 1) - 1) * q.per_page)
    )
    result = []
    for row in conn.execute(stmt):
        answer = json.loads(row.response)
        result.append(
            HeldOrder(
                row.erp,
                row.order_id,
                row.revision,
                row.customer_id,
                row.name,
                answer["exposure"]["order_amount"],
                answer["exposure"]["currency"],
                answer["reasons"],
                answer["decided_at"],
                row.request_id,
                row.request_status,
                q.requester is not None and row.requester == q.requester,
            )
        )
    return result, int(total)


def order_view(
    conn: Connection,
    erp: str,
    order_id: str,
    now: datetime,
    today: date,
    tolerance: Callable[[str], int],
) -> dict[str, Any] | None:
    """The order as the rep decides on it: its answer, the customer's name and terms, the
    invoices overdue (which to chase), its unfreeze requests. `tolerance` gives a grade's
    overdue tolerance in days."""
    order = orders_repo.get_order(conn, erp, order_id)
    if order is None:
        return None
    decision = orders_repo.get_decision(conn, order.decision_id)
    assert decision is not None
    requests = unfreeze_repo.list_requests(
        conn, status=None, requester=None, customer_id=order.customer_id
    )
    customer = customers_repo.get_customer(conn, order.customer_id)
    overdue = []
    if customer is not None:
        cutoff = today - timedelta(days=tolerance(customer.grade))
        overdue = sorted(
            (i for i in customers_repo.items_of(conn, order.customer_id) if i.due_date < cutoff),
            key=lambda i: i.due_date,
        )
    return {
        "order": order,
        "answer": json.loads(decision.response),
        "customer": customer,
        "overdue_items": [
            {
                "item_id": i.item_id,
                "amount": i.amount,
                "currency": i.currency,
                "due_date": i.due_date,
                "days": (today - i.due_date).days,
            }
            for i in overdue
        ],
        "requests": [r for r in requests if r.erp == erp and r.order_id == order_id],
        "open_request": unfreeze_repo.blocking_request_for_order(conn, erp, order_id, now),
    }


def customer_view(
    conn: Connection, customer_id: str, today: date, tolerance_days: int
) -> dict[str, Any] | None:
    customer = customers_repo.get_customer(conn, customer_id)
    if customer is None:
        return None
    account = account_of(customer, today)
    balance = balance_of(conn, customer)
    exposure = compute_exposure(
        account, balance, Decimal(0), account.currency, tolerance_days, today
    )
    used = exposure.open_items + exposure.open_orders
    limit = exposure.credit_limit
    d = orders_repo.decisions
    recent = conn.execute(
        select(d.c.erp, d.c.order_id, d.c.revision, d.c.outcome, d.c.created_at, d.c.response)
        .where(d.c.customer_id == customer_id)
        .order_by(d.c.created_at.desc())
        .limit(15)
    ).all()
    cur = account.currency
    buckets = aging(balance.items, today)
    biggest = max(buckets.values(), default=Decimal(0)) or Decimal(1)
    return {
        "customer": customer,
        "exposure": exposure,
        "utilization": int(used * 100 / limit) if limit > 0 else 100,
        "aging": [
            (label, str(quantize(v, cur)), int(v * 100 / biggest)) for label, v in buckets.items()
        ],
        "items": customers_repo.items_of(conn, customer_id),
        "orders": orders_repo.reserving_orders(conn, customer_id),
        "recent": [
            {
                "erp": r.erp,
                "order_id": r.order_id,
                "revision": r.revision,
                "outcome": r.outcome,
                "at": r.created_at,
                "reasons": [x["code"] for x in json.loads(r.response)["reasons"]],
            }
            for r in recent
        ],
        "money": lambda v: str(quantize(v, cur)),
    }


def customers_list(conn: Connection) -> list[Any]:
    c = customers_repo.customers
    return list(conn.execute(select(c).order_by(c.c.customer_id).limit(500)).all())
