"""A customer's aging and DSO, and its monthly sales: each use case in a transaction of
its own on the unit of work (`put_sales` also inside a snapshot's, given)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway.aging import repository as repo
from gateway.aging.schemas import SalesIn
from gateway.customers import repository as customers_repo
from gateway.customers.records import CustomerRecord
from gateway.customers.service import money_str, open_items_of
from gateway.db.uow import UnitOfWork
from gateway.errors import InvalidInput, NotFound
from policies.aging import AgingReport, aging_report
from policies.dso import complete_months, dso_days
from policies.money import MINOR_UNITS, fraction_digits, quantize

MAX_SALES_DECIMALS = max(MINOR_UNITS.values())  # what the OpenAPI schema allows


def _customer(conn: Connection, customer_id: str, *, lock: bool = False) -> CustomerRecord:
    row = customers_repo.get_customer(conn, customer_id, lock=lock)
    if row is None:
        raise NotFound(f"customer {customer_id} is unknown", code="CUSTOMER_NOT_FOUND")
    return row


def customer_aging(
    uow: UnitOfWork, customer_id: str, today: date, vat_factor: Decimal
) -> dict[str, Any]:
    """Receivables and notes by days past due as of `today`, summed, and DSO."""
    with uow.read() as conn:
        customer = _customer(conn, customer_id)
        report = aging_report(open_items_of(conn, customer), today)
        sales = repo.sales_of(conn, customer_id, complete_months(today))
    dso = dso_days(report.balance, sales, today, vat_factor)
    return aging_json(report, customer.currency, today, dso)


def aging_json(
    report: AgingReport, currency: str, today: date, dso: Decimal | None
) -> dict[str, Any]:
    def buckets(values: dict[str, Decimal]) -> dict[str, str]:
        return {label: money_str(amount, currency) for label, amount in values.items()}

    return {
        "as_of": today.isoformat(),
        "currency": currency,
        "receivables": buckets(report.receivables),
        "notes": buckets(report.notes),
        "total": buckets(report.total),
        "dso_days": float(dso) if dso is not None else None,
    }


def store_sales(uow: UnitOfWork, customer_id: str, body: SalesIn, now: datetime) -> dict[str, Any]:
    """The customer's monthly sales, as `put_sales`, in a transaction of their own."""
    with uow.write() as conn:
        return put_sales(conn, customer_id, body, now)


def put_sales(conn: Connection, customer_id: str, body: SalesIn, now: datetime) -> dict[str, Any]:
    customer = _customer(conn, customer_id, lock=True)
    # Periods of one month add up (an ERP may send one per sales organization or line).
    months: dict[str, Decimal] = {}
    for n, period in enumerate(body.periods):
        if fraction_digits(period.amount) > MAX_SALES_DECIMALS:
            field = f"body.periods.{n}.amount"
            raise InvalidInput(
                f"{field}: at most {MAX_SALES_DECIMALS} decimal places",
                code="INVALID_AMOUNT",
                details=[{"field": field, "message": "too many decimals"}],
            )
        months[period.month] = months.get(period.month, Decimal(0)) + period.amount
    # A statistic, not a ledger entry: rounded half up to the credit currency (the body
    # names no currency, so its schema cannot say how many decimals it has).
    rows = [
        {"month": month, "amount": quantize(amount, customer.currency), "updated_at": now}
        for month, amount in months.items()
    ]
    repo.put_sales(conn, customer_id, rows)
    return {
        "customer_id": customer_id,
        "currency": customer.currency,
        "periods": [
            {"month": r.month, "amount": money_str(r.amount, customer.currency)}
            for r in repo.all_sales_of(conn, customer_id)
        ],
    }
