"""The unfreeze flow in the shell: load, apply the pure state machine, store, audit.

Every function runs inside the caller's transaction (`gateway.unfreeze.use_cases` opens
it on the unit of work); the audit event of a step is written in the same transaction as
the step, so the trail never misses or invents one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway import audit, metrics
from gateway.auth import Principal
from gateway.customers import repository as customers_repo
from gateway.errors import Conflict, Forbidden, GatewayError, InvalidInput, NotFound
from gateway.orders import repository as orders_repo
from gateway.unfreeze import repository as repo
from gateway.unfreeze import views
from gateway.unfreeze.context import UnfreezeContext
from gateway.unfreeze.issuance import issue_token
from gateway.unfreeze.plan import validated_plan
from gateway.unfreeze.records import ApprovalRecord, UnfreezeRequestRecord
from gateway.unfreeze.schemas import UnfreezeIn
from policies import Grade
from policies.roles import Role
from policies.unfreeze import (
    Approval,
    Refusal,
    RequestStatus,
    UnfreezeError,
    UnfreezeRequest,
    approve,
    expire_if_due,
    reject,
    void,
)

APPROVERS = (Role.SALES_MANAGER, Role.FINANCE_MANAGER, Role.GENERAL_MANAGER)


# The answer to each refusal of the pure state machine (the core knows no HTTP).
REFUSAL_ERRORS: dict[Refusal, type[GatewayError]] = {
    Refusal.REQUEST_EXPIRED: Conflict,
    Refusal.REQUEST_NOT_PENDING: Conflict,
    Refusal.REQUEST_NOT_APPROVED: Conflict,
    Refusal.SELF_APPROVAL: Forbidden,
    Refusal.ROLE_NOT_REQUIRED: Forbidden,
    Refusal.ALREADY_APPROVED: Conflict,
    Refusal.TOKEN_NOT_ISSUED: Conflict,
    Refusal.TOKEN_ALREADY_REDEEMED: Conflict,
}


def _translate(exc: UnfreezeError) -> GatewayError:
    return REFUSAL_ERRORS[exc.code](exc.message, code=exc.code.value)


def to_domain(
    row: UnfreezeRequestRecord, approval_rows: Iterable[ApprovalRecord]
) -> UnfreezeRequest:
    return UnfreezeRequest(
        request_id=row.request_id,
        requester=row.requester,
        required_roles=tuple(Role(r) for r in row.required_roles.split(",")),
        approvals=tuple(
            Approval(a.principal, Role(a.role), a.at, a.comment) for a in approval_rows
        ),
        status=RequestStatus(row.status),
        expires_at=row.expires_at,
    )


def create_request(
    conn: Connection, body: UnfreezeIn, who: Principal, ctx: UnfreezeContext
) -> dict[str, Any]:
    decision = orders_repo.get_decision(conn, body.decision_id)
    if decision is None:
        raise NotFound(f"decision {body.decision_id} is unknown", code="DECISION_NOT_FOUND")
    customer = customers_repo.get_customer(conn, decision.customer_id, lock=True)
    order = orders_repo.get_order(conn, decision.erp, decision.order_id)
    if decision.outcome != "hold":
        raise Conflict("only a held decision can be unfrozen", code="DECISION_NOT_HELD")
    if order is None or customer is None or order.decision_id != decision.decision_id:
        raise Conflict(
            "the decision is not its order's latest: request on the latest one",
            code="DECISION_NOT_LATEST",
        )
    if order.status != orders_repo.HELD:
        raise Conflict(
            f"order {order.erp}/{order.order_id} is {order.status}, not held", code="ORDER_NOT_HELD"
        )
    if body.condition == "other" and len(body.justification.strip()) < (
        ctx.other_min_justification
    ):
        message = (
            f"condition other needs a justification of at least "
            f"{ctx.other_min_justification} characters"
        )
        raise InvalidInput(
            message,
            code="JUSTIFICATION_TOO_SHORT",
            details=[{"field": "body.justification", "message": message}],
        )
    if repo.blocking_request_for_order(conn, order.erp, order.order_id, ctx.now, lock=True):
        raise Conflict("this order already has an open unfreeze request", code="REQUEST_EXISTS")
    answer = json.loads(decision.response)
    exposure = answer["exposure"]
    plan = validated_plan(body, customer.currency, Decimal(exposure["over_limit"]), ctx.now)
    amount_base = ctx.fx.convert(order.amount, customer.currency, ctx.fx.base)
    roles = ctx.matrix.required_roles(amount_base, Grade(customer.grade))
    figures = {
        "currency": customer.currency,
        "credit_limit": exposure["credit_limit"],
        "payment_terms_days": customer.payment_terms_days,
        "open_items": exposure["open_items"],
        "open_orders": exposure["open_orders"],
        "over_limit": exposure["over_limit"],
        "overdue_amount": exposure["overdue_amount"],
        "oldest_overdue_days": exposure["oldest_overdue_days"],
        "order_amount": exposure["order_amount"],
        "reasons": [r["code"] for r in answer["reasons"]],
    }
    request_id = str(uuid.uuid4())
    repo.insert_request(
        conn,
        {
            "request_id": request_id,
            "decision_id": decision.decision_id,
            "erp": order.erp,
            "order_id": order.order_id,
            "revision": order.revision,
            "customer_id": order.customer_id,
            "amount": order.amount,
            "currency": customer.currency,
            "grade": customer.grade,
            "condition": body.condition,
            "justification": body.justification,
            "repayment_plan": json.dumps(plan) if plan is not None else None,
            "figures": json.dumps(figures),
            "requester": who.name,
            "required_roles": ",".join(roles),
            "status": RequestStatus.PENDING.value,
            "created_at": ctx.now,
            "expires_at": ctx.now + ctx.request_ttl,
        },
    )
    row = repo.get_request(conn, request_id)
    assert row is not None
    audit.step(
        conn,
        row,
        "request_created",
        who,
        ctx.now,
        body.justification,
        {"condition": body.condition, "required_roles": list(roles), "figures": figures},
    )
    metrics.UNFREEZE_REQUESTS.labels(status="created").inc()
    return views.view(conn, row, who, ctx)


def find(conn: Connection, request_id: str, *, lock: bool = False) -> UnfreezeRequestRecord:
    """The request as stored (see `load` for one brought up to date)."""
    row = repo.get_request(conn, request_id, lock=lock)
    if row is None:
        raise NotFound(f"unfreeze request {request_id} is unknown", code="REQUEST_NOT_FOUND")
    return row


def load(
    conn: Connection, request_id: str, ctx: UnfreezeContext, *, lock: bool = False
) -> UnfreezeRequestRecord:
    """The request, with an overdue pending one expired (and audited) on the way."""
    row = find(conn, request_id, lock=lock)
    domain = to_domain(row, repo.approvals_of(conn, request_id))
    if expire_if_due(domain, ctx.now).status is RequestStatus.EXPIRED and (
        domain.status is RequestStatus.PENDING
    ):
        repo.set_request_status(conn, request_id, RequestStatus.EXPIRED.value, ctx.now)
        audit.step(conn, row, "request_expired", None, ctx.now)
        metrics.UNFREEZE_REQUESTS.labels(status="expired").inc()
        row = find(conn, request_id)
    return row


def decide(
    conn: Connection,
    request_id: str,
    who: Principal,
    action: str,
    comment: str,
    ctx: UnfreezeContext,
) -> dict[str, Any]:
    if action == "reject":
        require_comment(comment)
    row = load(conn, request_id, ctx, lock=True)
    domain = to_domain(row, repo.approvals_of(conn, request_id))
    try:
        if action == "approve":
            after = approve(domain, who.name, who.role, comment, ctx.now)
        else:
            after = reject(domain, who.name, who.role, comment, ctx.now)
    except UnfreezeError as exc:
        raise _translate(exc) from None
    if action == "approve":
        repo.insert_approval(
            conn,
            {
                "request_id": request_id,
                "role": who.role.value,
                "principal": who.name,
                "comment": comment,
                "at": ctx.now,
            },
        )
        audit.step(conn, row, "request_approved", who, ctx.now, comment)
    else:
        audit.step(conn, row, "request_rejected", who, ctx.now, comment)
        repo.set_request_fields(
            conn,
            request_id,
            {"decided_by": who.name, "decided_role": who.role.value, "decision_comment": comment},
        )
    if after.status is not RequestStatus.PENDING:
        repo.set_request_status(conn, request_id, after.status.value, ctx.now)
        metrics.UNFREEZE_REQUESTS.labels(status=after.status.value).inc()
        metrics.UNFREEZE_DECISION_SECONDS.observe((ctx.now - row.created_at).total_seconds())
    if after.status is RequestStatus.APPROVED:
        issue_token(conn, row, ctx)
    fresh = repo.get_request(conn, request_id)
    assert fresh is not None
    return views.view(conn, fresh, who, ctx)


def require_comment(comment: str) -> None:
    """A rejection says why: blank (whitespace only counts as empty) is refused."""
    if not comment.strip():
        message = "a rejection needs a comment: say why"
        raise InvalidInput(
            message,
            code="COMMENT_REQUIRED",
            details=[{"field": "body.comment", "message": message}],
        )


def void_pending_for_order(
    conn: Connection, erp: str, order_id: str, new_amount: Decimal, now: datetime
) -> None:
    """A higher revision with a larger amount voids pending requests (outdated figures).

    An issued token stays valid, but only ever for its approved amount.
    """
    for row in repo.open_requests_for_order(conn, erp, order_id):
        if row.status != "pending" or new_amount <= row.amount:
            continue
        domain = to_domain(row, repo.approvals_of(conn, row.request_id))
        if void(domain).status is RequestStatus.VOIDED:
            repo.set_request_status(conn, row.request_id, RequestStatus.VOIDED.value, now)
            audit.step(
                conn,
                row,
                "request_voided",
                None,
                now,
                None,
                {"new_amount": str(new_amount), "requested_amount": str(row.amount)},
            )
            metrics.UNFREEZE_REQUESTS.labels(status="voided").inc()
