"""The customer read model: master data, open items and the balance a check is
decided on. Reads only: the writes that touch several ledgers are gateway.balances'."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway.customers import repository as repo
from gateway.customers.items_cache import OpenItemsCache
from gateway.customers.records import CustomerRecord
from policies import Account, Balance, Grade, OpenItem
from policies.credit_application import effective_limit
from policies.money import ZERO, quantize


def customer_view(row: CustomerRecord) -> dict[str, Any]:
    return {
        "customer_id": row.customer_id,
        "name": row.name,
        "credit_limit": money_str(row.credit_limit, row.currency),
        "currency": row.currency,
        "grade": row.grade,
        "payment_terms_days": row.payment_terms_days,
        "blocked": row.blocked,
        "review_date": row.review_date.isoformat() if row.review_date else None,
        "payment_terms_basis": row.payment_terms_basis,
        "closing_day": row.closing_day,
        "intercompany": row.intercompany,
        "balance_as_of": balance_as_of(row).isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def money_str(amount: Decimal, currency: str) -> str:
    return str(quantize(amount, currency))


def balance_as_of(row: CustomerRecord) -> datetime:
    """Until a first snapshot arrives, the balance dates from the master-data upsert."""
    as_of: datetime = row.snapshot_as_of or row.updated_at
    return as_of


def account_of(row: CustomerRecord, today: date | None = None) -> Account:
    """The account a check decides on: given `today`, a temporary limit past its last
    day is read as the limit before it, whether or not its revert was written yet."""
    limit = row.credit_limit
    if today is not None:
        limit = effective_limit(limit, row.limit_before_temporary, row.temporary_until, today)
    return Account(
        customer_id=row.customer_id,
        credit_limit=limit,
        currency=row.currency,
        grade=Grade(row.grade),
        payment_terms_days=row.payment_terms_days,
        blocked=row.blocked,
        review_date=row.review_date,
    )


def open_items_of(
    conn: Connection, row: CustomerRecord, cache: OpenItemsCache | None = None
) -> tuple[OpenItem, ...]:
    """The customer's open items, from `cache` while the row's etag matches."""
    items = cache.get(row.customer_id, row.items_etag) if cache is not None else None
    if items is None:
        items = repo.decision_items(conn, row.customer_id)
        if cache is not None:
            cache.put(row.customer_id, row.items_etag, items)
    return items


def balance_of(
    conn: Connection,
    row: CustomerRecord,
    own_reservation: Decimal = ZERO,
    cache: OpenItemsCache | None = None,
    items: tuple[OpenItem, ...] | None = None,
) -> Balance:
    """The customer's balance; `own_reservation` (the checked order's) is left out;
    `items`: its open items if already read."""
    return Balance(
        items=items if items is not None else open_items_of(conn, row, cache),
        open_orders=row.reserved - own_reservation,
        as_of=balance_as_of(row),
    )
