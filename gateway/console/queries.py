"""Read models for the console pages (no writes here)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

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
    amount: str
    currency: str
    reasons: list[dict[str, str]]
    decided_at: str
    open_request: str | None


def held_orders(
    conn: Connection, *, customer: str | None, erp: str | None, reason: str | None, limit: int = 200
) -> list[HeldOrder]:
    o, d = orders_repo.orders, orders_repo.decisions
    stmt = (
        select(o.c.erp, o.c.order_id, o.c.revision, o.c.customer_id, d.c.response)
        .join(d, d.c.decision_id == o.c.decision_id)
        .where(o.c.status == orders_repo.HELD)
        .order_by(d.c.created_at.desc())
        .limit(limit)
    )
    if customer:
        stmt = stmt.where(o.c.customer_id == customer)
    if erp:
        stmt = stmt.where(o.c.erp == erp)
    result = []
    for row in conn.execute(stmt):
        answer = json.loads(row.response)
        if reason and reason not in {r["code"] for r in answer["reasons"]}:
            continue
        open_requests = unfreeze_repo.open_requests_for_order(conn, row.erp, row.order_id)
        result.append(
            HeldOrder(
                row.erp,
                row.order_id,
                row.revision,
                row.customer_id,
                answer["exposure"]["order_amount"],
                answer["exposure"]["currency"],
                answer["reasons"],
                answer["decided_at"],
                open_requests[0].request_id if open_requests else None,
            )
        )
    return result


def order_view(conn: Connection, erp: str, order_id: str) -> dict[str, Any] | None:
    order = orders_repo.get_order(conn, erp, order_id)
    if order is None:
        return None
    decision = orders_repo.get_decision(conn, order.decision_id)
    assert decision is not None
    requests = unfreeze_repo.list_requests(
        conn, status=None, requester=None, customer_id=order.customer_id
    )
    return {
        "order": order,
        "answer": json.loads(decision.response),
        "requests": [r for r in requests if r.erp == erp and r.order_id == order_id],
        "open_request": next(
            (r for r in unfreeze_repo.open_requests_for_order(conn, erp, order_id)), None
        ),
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
