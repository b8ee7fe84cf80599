"""A snapshot's open items replace the stored ones: converted at the rates of their
day, their due dates fixed when first pushed, and the invoiced part of orders'
reservations consumed. Runs in the transaction it is given."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from gateway import audit
from gateway.auth import Principal
from gateway.customers import repository as repo
from gateway.customers.records import CustomerRecord, OpenItemRecord
from gateway.customers.schemas import OpenItemIn, OpenItemsIn
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.fx.cache import current_rates
from gateway.orders import repository as orders_repo
from gateway.orders.context import CheckContext
from gateway.validation import require_currency, require_precision
from policies import FxRates, Policy
from policies.terms import TermsBasis, due_date, note_days_past_term


def rates_at(conn: Connection, ctx: CheckContext, as_of: datetime) -> FxRates:
    """The rates of a snapshot's day (in the business time zone), dated ones first."""
    dated = current_rates(conn, ctx.fx_rates, ctx.policy.fx)
    day = as_of.astimezone(ctx.timezone).date()
    return ctx.fx_rates.on(dated, day) if ctx.fx_rates is not None else dated.on(day)


def replace_open_items(
    conn: Connection,
    customer_id: str,
    body: OpenItemsIn,
    policy: Policy,
    now: datetime,
    *,
    forced_by: Principal | None = None,
    fx: FxRates | None = None,
) -> dict[str, Any]:
    """Replace the customer's open items with the snapshot in `body`.

    A snapshot older than the stored one is refused (STALE_SNAPSHOT) unless an admin
    forces it (`forced_by`, audited): the way to repair a snapshot that was wrongly
    accepted, e.g. one dated in the future before AS_OF_IN_FUTURE existed. Items in
    another currency convert at `fx` (the rates of the snapshot's day), else the config's.
    """
    if body.as_of > now + policy.max_clock_skew:
        raise InvalidInput(
            f"snapshot as of {body.as_of.isoformat()} is dated in the future (the gateway's "
            f"clock reads {now.isoformat()}; at most {policy.max_clock_skew} ahead is taken)",
            code="AS_OF_IN_FUTURE",
            details=[{"field": "body.as_of", "message": "in the future"}],
        )
    customer = repo.get_customer(conn, customer_id, lock=True)
    if customer is None:
        raise NotFound(
            f"customer {customer_id} is unknown: send its master data first",
            code="CUSTOMER_NOT_FOUND",
        )
    stored = customer.snapshot_as_of
    if forced_by is None and stored is not None and body.as_of < stored:
        raise Conflict(
            f"snapshot as of {body.as_of.isoformat()} is older than the stored one "
            f"({stored.isoformat()}); ignored",
            code="STALE_SNAPSHOT",
        )
    stored_items = {r.item_id: r for r in repo.items_of(conn, customer_id)}
    rows = _item_rows(customer, body, fx or policy.fx, stored_items)
    repo.replace_items(conn, customer_id, rows, as_of=body.as_of)
    orders_repo.consume_invoices(conn, customer_id, rows)
    repo.update_customer(conn, customer_id, {"snapshot_as_of": body.as_of})
    if forced_by is not None:
        audit.append(
            conn,
            at=now,
            kind="snapshot_forced",
            principal=forced_by.name,
            role=forced_by.role.value,
            customer_id=customer_id,
            data={
                "previous_as_of": stored.isoformat() if stored else None,
                "as_of": body.as_of.isoformat(),
                "items": len(rows),
            },
        )
    return {"customer_id": customer_id, "as_of": body.as_of.isoformat(), "items": len(rows)}


def _item_rows(
    customer: CustomerRecord, body: OpenItemsIn, fx: FxRates, stored: dict[str, OpenItemRecord]
) -> list[dict[str, Any]]:
    seen: set[str] = set()
    rows = []
    for n, item in enumerate(body.items):
        field = f"body.items.{n}"
        if item.item_id in seen:
            raise_duplicate(field, item.item_id)
        seen.add(item.item_id)
        require_currency(item.currency, f"{field}.currency", fx, customer.currency)
        require_precision(item.amount, item.currency, f"{field}.amount")
        due, days_past_term = item_dates(customer, item, field, stored.get(item.item_id))
        rows.append(
            {
                "customer_id": customer.customer_id,
                "item_id": item.item_id,
                "kind": item.kind,
                "amount": item.amount,
                "currency": item.currency,
                "amount_credit": fx.convert(item.amount, item.currency, customer.currency),
                "due_date": due,
                "erp": item.erp,
                "order_id": item.order_id,
                "document_date": item.document_date,
                "invoice_date": item.invoice_date,
                "days_past_term": days_past_term,
            }
        )
    return rows


def item_dates(
    customer: CustomerRecord,
    item: OpenItemIn,
    field: str,
    previous: Any,  # stored row or None
) -> tuple[date, int | None]:
    """The item's due date (as sent, else from its document date by the customer's terms)
    and, for a note with its invoice's date, its days past that term. Both are fixed when
    the item is first pushed: the same item pushed again with the same dates keeps them,
    whatever the customer's terms have become since."""
    basis = TermsBasis(customer.payment_terms_basis)
    terms, closing = customer.payment_terms_days, customer.closing_day
    same = previous is not None and previous.kind == item.kind
    try:
        due = item.due_date
        if due is None and same and previous.document_date == item.document_date:
            due = previous.due_date
        if due is None:
            assert item.document_date is not None  # OpenItemIn requires one of them
            due = due_date(item.document_date, terms, basis, closing)
        days = None
        if item.invoice_date is not None:
            if (
                same
                and previous.invoice_date == item.invoice_date
                and previous.due_date == due
                and previous.days_past_term is not None
            ):
                days = previous.days_past_term
            else:
                days = note_days_past_term(item.invoice_date, due, terms, basis, closing)
    except (OverflowError, ValueError):
        raise InvalidInput(
            f"{field}: its due date under the customer's terms is past the calendar's end",
            details=[{"field": f"{field}.document_date", "message": "due date out of range"}],
        ) from None
    return due, days


def raise_duplicate(field: str, item_id: str) -> None:
    raise InvalidInput(
        f"{field}.item_id: item {item_id} appears twice in the snapshot",
        code="DUPLICATE_ITEM",
        details=[{"field": f"{field}.item_id", "message": "duplicate item_id"}],
    )
