"""The writes that touch several ledgers: master data (whose currency may not change
under open orders or approvals), open-item snapshots (which consume the invoiced part of
orders' reservations), and a pulled snapshot applied whole. Each runs in the
transaction it is given, or (apply_snapshot) opens its own."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import Connection, Engine

from gateway import audit
from gateway.aging.schemas import SalesIn
from gateway.aging.service import put_sales
from gateway.auth import Principal
from gateway.balances import committee, master_data
from gateway.balances.reevaluate import reevaluate_held
from gateway.customers import repository as repo
from gateway.customers.records import CustomerRecord, OpenItemRecord
from gateway.customers.schemas import CustomerIn, OpenItemIn, OpenItemsIn
from gateway.customers.service import customer_view
from gateway.db.engine import write_tx
from gateway.errors import Conflict, InvalidInput, NotFound
from gateway.fx.cache import current_rates
from gateway.groups import repository as groups_repo
from gateway.orders import repository as orders_repo
from gateway.orders.context import CheckContext
from gateway.orders.notify import Released
from gateway.unfreeze import repository as unfreeze_repo
from gateway.validation import require_currency, require_precision
from policies import FxRates, Grade, Policy
from policies.roles import Role
from policies.terms import TermsBasis, due_date, note_days_past_term

Owner = Literal["erp", "gateway"]
GATEWAY_OWNED = ("credit_limit", "payment_terms_days", "grade", "review_date")


class SnapshotRejected(Exception):
    """The ERP sent data the gateway will not store (a permanent error, not retried)."""


def apply_snapshot(
    engine: Engine,
    ctx: CheckContext,
    customer_id: str,
    master: dict[str, Any],
    items: dict[str, Any],
    sales: dict[str, Any] | None = None,
    *,
    owner: Owner = "erp",
) -> list[Released]:
    try:
        items_in = OpenItemsIn.model_validate(items)
        sales_in = SalesIn.model_validate(sales) if sales is not None else None
    except ValidationError as exc:
        raise SnapshotRejected(f"customer {customer_id}: {exc.errors()[0]['msg']}") from None
    with write_tx(engine) as conn:
        # Locks in the checks' order: a member's credit group before the customer.
        groups_repo.lock_group_of(conn, customer_id)
        if owner == "gateway":
            # The gateway keeps the credit fields: what the ERP says of them is left out
            # (repeating is allowed, changing is not; a pull is not the place to refuse),
            # but for a new customer's grade, which it is created with (DESIGN §3b).
            known = repo.get_customer(conn, customer_id) is not None
            master = {
                k: v
                for k, v in master.items()
                if k not in GATEWAY_OWNED or (k == "grade" and not known)
            }
        try:
            customer_in = CustomerIn.model_validate(master)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"]
            raise SnapshotRejected(f"customer {customer_id}: {message}") from None
        upsert_customer(conn, customer_id, customer_in, ctx.policy.fx, ctx.now, owner=owner)
        if sales_in is not None:
            try:
                put_sales(conn, customer_id, sales_in, ctx.now)
            except InvalidInput as exc:
                raise SnapshotRejected(f"customer {customer_id}: {exc.message}") from None
        try:
            replace_open_items(
                conn,
                customer_id,
                items_in,
                ctx.policy,
                ctx.now,
                fx=rates_at(conn, ctx, items_in.as_of),
            )
        except InvalidInput as exc:
            raise SnapshotRejected(f"customer {customer_id}: {exc.message}") from None
        except Conflict as exc:
            if exc.code != "STALE_SNAPSHOT":
                raise
            return []  # an older pull raced a newer push: the newer one stands
        committee.lift_if_paid(conn, customer_id, ctx)  # before the held orders' look
        return reevaluate_held(conn, customer_id, ctx)


def rates_at(conn: Connection, ctx: CheckContext, as_of: datetime) -> FxRates:
    """The rates of a snapshot's day (in the business time zone), dated ones first."""
    dated = current_rates(conn, ctx.fx_rates, ctx.policy.fx)
    day = as_of.astimezone(ctx.timezone).date()
    return ctx.fx_rates.on(dated, day) if ctx.fx_rates is not None else dated.on(day)


def upsert_customer(
    conn: Connection,
    customer_id: str,
    body: CustomerIn,
    fx: FxRates,
    now: datetime,
    *,
    who: Principal | None = None,
    owner: Owner = "erp",
) -> dict[str, Any]:
    """Store an ERP's (or an admin's) master data, audited field by field.

    Under `owner="gateway"` the credit fields belong to approved credit applications:
    a new customer starts at zero credit, and a body may repeat the stored credit
    fields or leave them out, never change them (409 MASTER_DATA_OWNED_BY_GATEWAY).
    """
    # The credit currency must convert to the FX base: approval tiers and reports are in
    # the base, and an unfreeze request for such a customer would otherwise fail later.
    require_currency(body.currency, "body.currency", fx, fx.base)
    if body.credit_limit is not None:
        require_precision(body.credit_limit, body.currency, "body.credit_limit")
    existing = repo.get_customer(conn, customer_id, lock=True)
    if owner == "gateway":
        values = _owned_by_gateway(customer_id, body, existing)
    else:
        values = _owned_by_erp(body, existing)
    # How due dates follow (basis, closing day) and intercompany are the ERP's to say
    # under either owner: they describe the customer, they grant no credit.
    dumped = body.model_dump()
    values.update({name: dumped.get(name) for name in TERMS_FIELDS})
    terms_fields(body, values)
    values["updated_at"] = now
    if existing is not None and committee.stops_shipments(conn, customer_id):
        values["blocked"] = True  # the committee's stop stands until the overdue is paid
    if existing is None:
        repo.insert_customer(conn, {"customer_id": customer_id, **values})
    else:
        require_currency_change_allowed(conn, existing, body.currency, now)
        repo.update_customer(conn, customer_id, values)
    row = repo.get_customer(conn, customer_id)
    assert row is not None
    admin = who is not None and who.role is Role.ADMIN
    master_data.record_change(
        conn,
        customer_id,
        master_data.credit_fields(existing) if existing is not None else None,
        master_data.credit_fields(row),
        principal=who.name if who is not None else "erp-sync",
        role=who.role.value if who is not None else Role.ERP.value,
        source="admin" if admin else "erp",
        at=now,
    )
    return customer_view(row)


_MISSING_IN_ERP_MODE = ("credit_limit", "grade", "payment_terms_days")
TERMS_FIELDS = ("payment_terms_basis", "closing_day", "intercompany")


def _owned_by_erp(body: CustomerIn, existing: CustomerRecord | None) -> dict[str, Any]:
    missing = [f for f in _MISSING_IN_ERP_MODE if getattr(body, f) is None]
    if missing:
        raise InvalidInput(
            "the ERP keeps the credit fields: " + ", ".join(missing) + " required",
            details=[{"field": f"body.{f}", "message": "Field required"} for f in missing],
        )
    values = body.model_dump()
    values["grade"] = body.grade.value if body.grade is not None else None
    if (
        existing is not None
        and existing.temporary_until is not None
        and (body.credit_limit != existing.credit_limit)
    ):
        # The ERP, as the system of record, set a limit of its own: no temporary
        # limit to fall back from any more.
        values["temporary_until"] = None
        values["limit_before_temporary"] = None
    return values


def _owned_by_gateway(
    customer_id: str, body: CustomerIn, existing: CustomerRecord | None
) -> dict[str, Any]:
    base = {"name": body.name, "currency": body.currency, "blocked": body.blocked}
    if existing is None:
        # A new customer starts at zero credit (seed 004 2.1.4): credit comes from
        # an approved application, whatever the body says.
        grade = body.grade.value if body.grade is not None else Grade.D.value
        return {
            **base,
            "grade": grade,
            "credit_limit": Decimal(0),
            "payment_terms_days": 0,
            "review_date": None,
        }
    given = body.model_fields_set
    stored = {
        "credit_limit": existing.credit_limit,
        "payment_terms_days": existing.payment_terms_days,
        "grade": Grade(existing.grade),
        "review_date": existing.review_date,
    }
    differing = [
        name for name, value in stored.items() if name in given and getattr(body, name) != value
    ]
    if body.currency != existing.currency and existing.credit_limit > 0:
        differing.append("currency")
    if differing:
        raise Conflict(
            f"customer {customer_id}'s credit fields are kept by the gateway (approved credit "
            f"applications): {', '.join(differing)} may not change here",
            code="MASTER_DATA_OWNED_BY_GATEWAY",
            details=[{"field": f"body.{name}", "message": "differs"} for name in differing],
        )
    return base


def require_currency_change_allowed(
    conn: Connection, existing: CustomerRecord, currency: str, now: datetime
) -> None:
    if existing.currency != currency and (
        orders_repo.has_exposure(conn, existing.customer_id)
        or unfreeze_repo.has_open_approvals(conn, existing.customer_id, now)
    ):
        # Reservations, invoiced parts, items and approvals are stored in the old
        # currency: converting them silently would change figures credit control
        # has already seen, and mixing them would miscount the exposure.
        raise Conflict(
            f"customer {existing.customer_id} has open items, orders or approvals in "
            f"{existing.currency}; its credit currency cannot change until they are "
            "settled",
            code="CURRENCY_CHANGE_NOT_ALLOWED",
        )


def terms_fields(body: CustomerIn, values: dict[str, Any]) -> None:
    """The terms fields (DESIGN §3b) the body set: one left out keeps its stored value
    (an ERP or sync that knows nothing of them changes nothing), or on a new customer
    the column's default; `closing_day: null` is the month's end, said explicitly."""
    for name in ("payment_terms_basis", "intercompany"):
        if values.get(name) is None:
            values.pop(name, None)
    if values.get("payment_terms_basis") is not None:
        values["payment_terms_basis"] = TermsBasis(values["payment_terms_basis"]).value
    if "closing_day" not in body.model_fields_set:
        values.pop("closing_day", None)


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
