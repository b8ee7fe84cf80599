"""The writes that touch several ledgers, each a use case in one transaction on the unit
of work: master data (whose currency may not change under open orders or approvals), an
open-item snapshot (`gateway.balances.open_items`: it consumes the invoiced part of
orders' reservations), and a pulled snapshot applied whole. Each gives held orders a
second look and answers the ones it released: the caller tells their ERPs after commit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import Connection

from gateway.aging.schemas import SalesIn
from gateway.aging.service import put_sales
from gateway.auth import Principal
from gateway.balances import committee, master_data
from gateway.balances.open_items import rates_at, replace_open_items
from gateway.balances.reevaluate import reevaluate_held
from gateway.customers import repository as repo
from gateway.customers.records import CustomerRecord
from gateway.customers.schemas import CustomerIn, OpenItemsIn
from gateway.customers.service import customer_view
from gateway.db.uow import UnitOfWork
from gateway.errors import Conflict, InvalidInput
from gateway.groups import repository as groups_repo
from gateway.orders import repository as orders_repo
from gateway.orders.context import CheckContext
from gateway.orders.notify import Released
from gateway.unfreeze import repository as unfreeze_repo
from gateway.validation import require_currency, require_precision
from policies import FxRates, Grade
from policies.roles import Role
from policies.terms import TermsBasis

Owner = Literal["erp", "gateway"]
GATEWAY_OWNED = ("credit_limit", "payment_terms_days", "grade", "review_date")
Stored = tuple[dict[str, Any], list[Released]]  # the answer, and the orders released


class SnapshotRejected(Exception):
    """The ERP sent data the gateway will not store (a permanent error, not retried)."""


def store_customer(
    uow: UnitOfWork,
    customer_id: str,
    body: CustomerIn,
    ctx: CheckContext,
    *,
    who: Principal | None = None,
    owner: Owner = "erp",
) -> Stored:
    """An ERP's (or an admin's) master data; a raised limit or an unblock releases what it
    makes room for at once, as a payment does (SAP's credit decisions stay blocked after
    a limit raise: here they do not)."""
    with uow.write() as conn:
        # Locks in the checks' order: a member's credit group before the customer.
        groups_repo.lock_group_of(conn, customer_id)
        stored = upsert_customer(
            conn, customer_id, body, ctx.policy.fx, ctx.now, who=who, owner=owner
        )
        return stored, reevaluate_held(conn, customer_id, ctx)


def store_open_items(
    uow: UnitOfWork,
    customer_id: str,
    body: OpenItemsIn,
    ctx: CheckContext,
    *,
    forced_by: Principal | None = None,
) -> Stored:
    """A pushed snapshot of the customer's open items (`forced_by`: an admin's, replacing
    even a newer one); a payment may have made room for held orders."""
    with uow.write() as conn:
        # Locks in the checks' order: a member's credit group before the customer.
        groups_repo.lock_group_of(conn, customer_id)
        stored = replace_open_items(
            conn,
            customer_id,
            body,
            ctx.policy,
            ctx.now,
            forced_by=forced_by,
            fx=rates_at(conn, ctx, body.as_of),
        )
        # The committee's stop-shipment lifts once the overdue is paid (audited).
        committee.lift_if_paid(conn, customer_id, ctx)
        return stored, reevaluate_held(conn, customer_id, ctx)


def apply_snapshot(
    uow: UnitOfWork,
    ctx: CheckContext,
    customer_id: str,
    master: dict[str, Any],
    items: dict[str, Any],
    sales: dict[str, Any] | None = None,
    *,
    owner: Owner = "erp",
) -> list[Released]:
    """A pulled snapshot (master data, open items, sales) applied whole, or not at all."""
    try:
        items_in = OpenItemsIn.model_validate(items)
        sales_in = SalesIn.model_validate(sales) if sales is not None else None
    except ValidationError as exc:
        raise SnapshotRejected(f"customer {customer_id}: {exc.errors()[0]['msg']}") from None
    with uow.write() as conn:
        return _apply(conn, ctx, customer_id, master, items_in, sales_in, owner)


def _apply(
    conn: Connection,
    ctx: CheckContext,
    customer_id: str,
    master: dict[str, Any],
    items_in: OpenItemsIn,
    sales_in: SalesIn | None,
    owner: Owner,
) -> list[Released]:
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
