"""Dual control when the ERP is the system of record (`[master_data] owner = "erp"`):
the customers whose credit fields, as the ERP pushed them, differ from what their last
applied credit application granted, and those given credit with no application at all.
Finance works this list in the console (issue 22: dual control holds either way)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway.credit_applications import repository as repo
from gateway.customers import repository as customers_repo
from gateway.customers.records import CustomerRecord


@dataclass(frozen=True)
class Difference:
    field: str
    granted: str  # as the application granted it ("" when none did)
    current: str  # as the customer's master data has it now


@dataclass(frozen=True)
class Drift:
    customer_id: str
    name: str
    application_id: str | None  # the last applied one; None: credit without any
    applied_at: datetime | None
    differences: tuple[Difference, ...]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def differences(
    proposed: dict[str, Any], customer: CustomerRecord, today: date
) -> tuple[Difference, ...]:
    """What the customer's credit fields say beside what the application granted. A
    temporary limit past its day granted the limit before it: its limit is not compared."""
    granted = {
        "credit_limit": Decimal(proposed["credit_limit"]),
        "currency": proposed["currency"],
        "payment_terms_days": int(proposed["payment_terms_days"]),
        "grade": proposed["grade"],
        "review_date": date.fromisoformat(proposed["review_date"])
        if proposed.get("review_date")
        else None,
    }
    valid_until = proposed.get("valid_until")
    if valid_until and date.fromisoformat(valid_until) < today:
        del granted["credit_limit"]
    found = []
    for name, value in granted.items():
        now = getattr(customer, name)
        if (Decimal(now) if name == "credit_limit" else now) != value:
            found.append(Difference(name, _text(value), _text(now)))
    return tuple(found)


def drifted(conn: Connection, today: date) -> list[Drift]:
    """Every customer whose credit fields differ from its last applied application, and
    every customer with a limit above 0 that no application granted."""
    last = {r.customer_id: r for r in repo.applied(conn)}  # ordered: the last applied wins
    found: list[Drift] = []
    for customer in customers_repo.list_customers(conn):
        applied = last.get(customer.customer_id)
        if applied is None:
            if customer.credit_limit > 0:
                found.append(
                    Drift(
                        customer.customer_id,
                        customer.name,
                        None,
                        None,
                        (Difference("credit_limit", "", _text(customer.credit_limit)),),
                    )
                )
            continue
        proposed = json.loads(applied.proposed)
        if applied.valid_until is not None:
            proposed["valid_until"] = applied.valid_until.isoformat()
        diffs = differences(proposed, customer, today)
        if diffs:
            found.append(
                Drift(
                    customer.customer_id,
                    customer.name,
                    applied.application_id,
                    applied.applied_at,
                    diffs,
                )
            )
    return found
