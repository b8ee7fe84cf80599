"""`GET /v1/customers/{id}/exposure`: the customer's figures across the ledgers (its
exposure, the orders that reserve, the open items), read in one transaction."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from gateway.customers import repository as repo
from gateway.customers import service as customers
from gateway.db.uow import UnitOfWork
from gateway.errors import NotFound
from gateway.orders import repository as orders_repo
from gateway.orders.figures import exposure_json
from policies import GradePolicy, Policy, compute_exposure


def customer_exposure(
    uow: UnitOfWork, customer_id: str, policy: Policy, now: datetime, timezone: tzinfo
) -> dict[str, Any]:
    today = now.astimezone(timezone).date()
    with uow.read() as conn:
        customer = repo.get_customer(conn, customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id} is unknown", code="CUSTOMER_NOT_FOUND")
        account = customers.account_of(customer, today)
        balance = customers.balance_of(conn, customer)
        item_rows = repo.items_of(conn, customer_id)
        order_rows = orders_repo.reserving_orders(conn, customer_id)
    grade = policy.grades.get(account.grade, GradePolicy())
    exposure = compute_exposure(
        account,
        balance,
        0 * account.credit_limit,
        account.currency,
        grade.overdue_tolerance_days,
        today,
    )
    cur = account.currency
    return {
        "customer_id": customer_id,
        "exposure": exposure_json(exposure),
        "orders": [
            {
                "erp": o.erp,
                "order_id": o.order_id,
                "revision": o.revision,
                "amount": customers.money_str(o.amount, cur),
                "invoiced": customers.money_str(o.invoiced, cur),
                "reserved": customers.money_str(o.reserved, cur),
                "decision_id": o.decision_id,
                "updated_at": o.updated_at.isoformat(),
            }
            for o in order_rows
        ],
        "items": [
            {
                "item_id": i.item_id,
                "kind": i.kind,
                "amount": customers.money_str(i.amount, i.currency),
                "currency": i.currency,
                "amount_credit": customers.money_str(i.amount_credit, cur),
                "due_date": i.due_date.isoformat(),
                "erp": i.erp,
                "order_id": i.order_id,
                "document_date": i.document_date.isoformat() if i.document_date else None,
                "invoice_date": i.invoice_date.isoformat() if i.invoice_date else None,
            }
            for i in item_rows
        ],
    }
