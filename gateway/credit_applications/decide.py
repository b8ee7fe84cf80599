"""Approving, ratifying and rejecting a credit application; applying the change.

The last required approval applies the proposal in its own transaction: the customer's
master data, its `master_data_changed` event and the re-evaluation of its held orders
commit together with the approval, or not at all.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway import audit
from gateway.auth import Principal
from gateway.balances import master_data
from gateway.balances.reevaluate import reevaluate_held
from gateway.balances.service import require_currency_change_allowed
from gateway.credit_applications import repository as repo
from gateway.credit_applications import views
from gateway.credit_applications.filing import ApplicationContext, find
from gateway.credit_applications.records import ApplicationRecord
from gateway.customers import repository as customers_repo
from gateway.errors import Conflict, Forbidden, GatewayError, InvalidInput
from gateway.groups import repository as groups_repo
from gateway.orders.notify import Released
from policies.application_flow import (
    Application,
    ApplicationError,
    Refusal,
    approve,
    lapsed,
    reject,
)
from policies.credit_application import ApplicationStatus
from policies.roles import Role

REFUSALS: dict[Refusal, type[GatewayError]] = {
    Refusal.APPLICATION_EXPIRED: Conflict,
    Refusal.APPLICATION_NOT_PENDING: Conflict,
    Refusal.SELF_APPROVAL: Forbidden,
    Refusal.ROLE_NOT_REQUIRED: Forbidden,
    Refusal.ALREADY_APPROVED: Conflict,
}


def to_domain(conn: Connection, row: ApplicationRecord) -> Application:
    return Application(
        requester=row.requester,
        status=ApplicationStatus(row.status),
        required_roles=tuple(Role(r) for r in views.roles_of(row.required_roles)),
        ratify_roles=tuple(Role(r) for r in views.roles_of(row.ratify_roles)),
        approved_roles=frozenset(Role(a.role) for a in repo.approvals_of(conn, row.application_id)),
        expires_at=row.expires_at,
    )


def expire_if_lapsed(
    conn: Connection, row: ApplicationRecord, ctx: ApplicationContext
) -> ApplicationRecord:
    """A pending application past its expiry is expired (and audited) on the way."""
    if not lapsed(to_domain(conn, row), ctx.now):
        return row
    repo.set_status(
        conn, row.application_id, {"status": ApplicationStatus.EXPIRED.value, "decided_at": ctx.now}
    )
    _event(conn, row, "credit_application_expired", None, ctx)
    return find(conn, row.application_id)


def decide(
    conn: Connection,
    application_id: str,
    who: Principal,
    action: str,
    comment: str,
    ctx: ApplicationContext,
) -> tuple[dict[str, Any], list[Released]]:
    row = find(conn, application_id, lock=True)
    domain = to_domain(conn, row)
    try:
        after = (approve if action == "approve" else reject)(domain, who.name, who.role, ctx.now)
    except ApplicationError as exc:
        raise REFUSALS[exc.code](exc.message, code=exc.code.value) from None
    if action == "reject" and not comment.strip():
        raise InvalidInput(
            "a rejection needs a comment",
            code="COMMENT_REQUIRED",
            details=[{"field": "body.comment", "message": "must not be blank"}],
        )
    released: list[Released] = []
    if action == "reject":
        repo.set_status(conn, application_id, {"status": after.status.value, "decided_at": ctx.now})
        _event(conn, row, "credit_application_rejected", who, ctx, comment)
    else:
        stage = "ratify" if domain.status is ApplicationStatus.APPLIED else "approve"
        repo.insert_approval(
            conn,
            {
                "application_id": application_id,
                "role": who.role.value,
                "principal": who.name,
                "stage": stage,
                "comment": comment,
                "at": ctx.now,
            },
        )
        kind = "ratified" if stage == "ratify" else "approved"
        _event(conn, row, f"credit_application_{kind}", who, ctx, comment)
        if after.status is not domain.status:
            values: dict[str, Any] = {"status": after.status.value, "decided_at": ctx.now}
            if after.status is ApplicationStatus.APPLIED:
                values["applied_at"] = ctx.now
                released = apply_change(conn, row, who, ctx)
            repo.set_status(conn, application_id, values)
    return views.view(conn, find(conn, application_id)), released


def apply_change(
    conn: Connection, row: ApplicationRecord, who: Principal, ctx: ApplicationContext
) -> list[Released]:
    """The customer's master data becomes the proposal (created if new), audited, and
    its held orders are looked at again."""
    proposed = json.loads(row.proposed)
    # Locks in the checks' order (no deadlock with a member's check on PostgreSQL):
    # the customer's credit group first, then the customer.
    groups_repo.lock_group_of(conn, row.customer_id)
    existing = customers_repo.get_customer(conn, row.customer_id, lock=True)
    if row.kind == "new" and existing is not None and existing.credit_limit > 0:
        raise Conflict(
            f"customer {row.customer_id} has been given a limit since this application was "
            "filed: file an update",
            code="CUSTOMER_EXISTS",
        )
    values: dict[str, Any] = {
        "name": proposed["name"],
        "credit_limit": Decimal(proposed["credit_limit"]),
        "currency": proposed["currency"],
        "grade": proposed["grade"],
        "payment_terms_days": proposed["payment_terms_days"],
        "review_date": date.fromisoformat(proposed["review_date"]),
        "updated_at": ctx.now,
        "temporary_until": None,
        "limit_before_temporary": None,
    }
    if row.valid_until is not None and existing is not None:
        # Through valid_until the raised limit holds; then the limit before it, which
        # is the one before any temporary limit still running.
        running = existing.temporary_until is not None and existing.temporary_until >= ctx.today
        values["temporary_until"] = row.valid_until
        values["limit_before_temporary"] = (
            existing.limit_before_temporary
            if running and existing.limit_before_temporary is not None
            else existing.credit_limit
        )
    if existing is None:
        customers_repo.insert_customer(
            conn, {"customer_id": row.customer_id, "blocked": False, **values}
        )
    else:
        require_currency_change_allowed(conn, existing, proposed["currency"], ctx.now)
        customers_repo.update_customer(conn, row.customer_id, values)
    after = customers_repo.get_customer(conn, row.customer_id)
    assert after is not None  # written just above
    master_data.record_change(
        conn,
        row.customer_id,
        master_data.credit_fields(existing) if existing is not None else None,
        master_data.credit_fields(after),
        principal=who.name,
        role=who.role.value,
        source="application",
        at=ctx.now,
        extra={"application_id": row.application_id, "kind": row.kind},
    )
    return reevaluate_held(conn, row.customer_id, ctx.check)


def _event(
    conn: Connection,
    row: ApplicationRecord,
    kind: str,
    who: Principal | None,
    ctx: ApplicationContext,
    comment: str | None = None,
) -> None:
    audit.append(
        conn,
        at=ctx.now,
        kind=kind,
        principal=who.name if who else "gateway",
        role=who.role.value if who else "system",
        customer_id=row.customer_id,
        comment=comment,
        data={"application_id": row.application_id},
    )
