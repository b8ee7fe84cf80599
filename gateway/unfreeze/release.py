"""The credit controller releases an approved request's order (DESIGN.md §3b).

One transaction, behind the customer's lock (the lock every check, token redemption
and payment re-evaluation of that customer takes first, so of those racing for one
held order exactly one releases it): a new decision for the order's latest revision
(outcome release, `override` set, reservation made), the token used up, the request
`released` with the figures at release, the audit event. The caller notifies the
order's ERP after commit, as after a payment's re-evaluation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from gateway import audit, metrics
from gateway.auth import Principal
from gateway.customers import repository as customers_repo
from gateway.customers.service import account_of, balance_of
from gateway.errors import Conflict
from gateway.groups import repository as groups_repo
from gateway.orders import repository as orders_repo
from gateway.orders.context import CheckContext
from gateway.orders.figures import exposure_json
from gateway.orders.notify import Released
from gateway.orders.repository import latest_request_of
from gateway.orders.service import PREPAID, OrderTerms, RequestIdentity, record_decision
from gateway.recorder.record import CheckInputs
from gateway.unfreeze import repository as repo
from gateway.unfreeze.conditions import Conditions
from gateway.unfreeze.context import UnfreezeContext
from gateway.unfreeze.records import TokenRecord
from gateway.unfreeze.service import find, load, to_domain
from gateway.unfreeze.watch import record_override_release, watch_payment, watch_plan
from policies import Outcome, Override, evaluate
from policies.unfreeze import RequestStatus, UnfreezeError, release


@dataclass(frozen=True)
class ReleaseContext:
    unfreeze: UnfreezeContext
    check: CheckContext
    conditions: Conditions


def release_request(
    conn: Connection,
    request_id: str,
    who: Principal,
    bank_reference: str | None,
    ctx: ReleaseContext,
) -> tuple[dict[str, Any], Released]:
    now = ctx.check.now
    # The locks in a check's order: the customer's credit group, the customer, then the
    # request.
    customer_id = find(conn, request_id).customer_id
    groups_repo.lock_group_of(conn, customer_id)
    customer = customers_repo.get_customer(conn, customer_id, lock=True)
    row = load(conn, request_id, ctx.unfreeze, lock=True)
    order = orders_repo.get_order(conn, row.erp, row.order_id)
    if row.status == RequestStatus.RELEASED.value or (
        order is not None and order.status == orders_repo.RELEASED
    ):
        raise Conflict(
            f"order {row.erp}/{row.order_id} is already released", code="ORDER_ALREADY_RELEASED"
        )
    try:
        release(to_domain(row, repo.approvals_of(conn, request_id)))
    except UnfreezeError as exc:
        raise Conflict(exc.message, code=exc.code.value) from None
    if order is None or customer is None or order.status == orders_repo.CANCELLED:
        raise Conflict(f"order {row.erp}/{row.order_id} was cancelled", code="ORDER_CANCELLED")
    token = repo.token_of_request(conn, request_id)
    _require_usable(token, now)
    assert token is not None
    if order.amount > token.max_amount:
        raise Conflict(
            f"the order's latest revision ({order.revision}) is {order.amount}, above the "
            f"approved {token.max_amount}",
            code="AMOUNT_ABOVE_APPROVED",
            details={"revision": order.revision, "approved_amount": str(token.max_amount)},
        )
    payload_hash, figured_in = latest_request_of(conn, order)
    amount = ctx.check.policy.fx.convert(order.amount, figured_in, customer.currency)
    today = now.astimezone(ctx.check.timezone).date()
    # What evaluate is given, recorded with the release (gateway.recorder): simulation
    # replays it as an override, apart. The group's figures are left out: the release
    # stands whatever they say.
    given: dict[str, Any] = dict(
        order_amount=amount,
        currency=customer.currency,
        account=account_of(customer, today),
        balance=balance_of(conn, customer, order.reserved, ctx.check.items),
        now=now,
        today=today,
        prepaid=order.security == PREPAID,
        order_terms_days=order.payment_terms_days,
    )
    decision = evaluate(**given, policy=ctx.check.policy)
    overdue = decision.exposure.overdue_amount
    if not ctx.conditions.met(row, overdue):
        if bank_reference is None:
            raise Conflict(
                f"condition paid_overdue is not met: the customer's overdue is {overdue}, "
                f"above the tolerance {ctx.conditions.tolerance(row)}; release with the "
                "payment's bank_reference if it is in transit",
                code="CONDITION_NOT_MET",
                details={
                    "overdue_amount": str(overdue),
                    "tolerance": str(ctx.conditions.tolerance(row)),
                },
            )
        due_at = now + timedelta(days=ctx.conditions.confirm_days)
        watch_payment(conn, row, bank_reference, ctx.conditions.tolerance(row), due_at, now)
    if not repo.mark_token(
        conn, token.token_id, "issued", {"status": "redeemed", "redeemed_at": now}
    ):
        raise Conflict("the token was used meanwhile", code="ORDER_ALREADY_RELEASED")
    approved_by = tuple(a.principal for a in repo.approvals_of(conn, request_id))
    override = Override(request_id, approved_by)
    decision = replace(decision, outcome=Outcome.RELEASE, override=override)
    identity = RequestIdentity(
        order.erp,
        order.order_id,
        order.revision,
        order.customer_id,
        payload_hash,
        f"released:{request_id}",
    )
    result = record_decision(
        conn,
        identity,
        order,
        decision,
        amount,
        now,
        OrderTerms(order.security, order.payment_terms_days),
        CheckInputs(given, customer.items_etag, override),
    )
    repo.mark_token(conn, token.token_id, "redeemed", {"redeemed_decision_id": result.decision_id})
    record_override_release(conn, row, approved_by, amount, now)
    watch_plan(conn, row, now)
    answer: dict[str, Any] = json.loads(result.body)
    figures = {
        **exposure_json(decision.exposure),
        "payment_terms_days": customer.payment_terms_days,
        "reasons": [r["code"] for r in answer["reasons"]],
    }
    repo.set_request_fields(
        conn,
        request_id,
        {
            "status": RequestStatus.RELEASED.value,
            "released_at": now,
            "released_by": who.name,
            "release_decision_id": result.decision_id,
            "release_figures": json.dumps(figures),
            "bank_reference": bank_reference,
        },
    )
    audit.step(
        conn,
        row,
        "request_released",
        who,
        now,
        None,
        {
            "decision_id": result.decision_id,
            "revision": order.revision,
            "amount": answer["exposure"]["order_amount"],
            "bank_reference": bank_reference,
            "token_id": token.token_id,
        },
    )
    metrics.UNFREEZE_REQUESTS.labels(status="released").inc()
    metrics.OVERRIDE_TOKENS.labels(event="redeemed").inc()
    released = Released(
        order.erp,
        order.order_id,
        order.revision,
        order.customer_id,
        result.decision_id,
        result.body,
    )
    return answer, released


def _require_usable(token: TokenRecord | None, now: datetime) -> None:
    if token is None:
        raise Conflict("the request has no token", code="TOKEN_NOT_ISSUED")
    if token.status == "redeemed":
        raise Conflict("the request's token was already used", code="TOKEN_ALREADY_REDEEMED")
    if token.status == "revoked":
        raise Conflict("the request's token was revoked", code="TOKEN_REVOKED")
    if now >= token.expires_at:
        raise Conflict(
            f"the request's token expired at {token.expires_at.isoformat()}", code="TOKEN_EXPIRED"
        )
