"""The check: one transaction that reads the account, decides, and records.

Per customer the checks are serialized (row lock on PostgreSQL, BEGIN IMMEDIATE on
SQLite), so concurrent orders can never together release more than the limit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway.customers import repository as customers_repo
from gateway.customers.service import account_of, balance_of
from gateway.errors import Conflict, NotFound
from gateway.groups.figures import group_figures
from gateway.ids import time_ordered_uuid
from gateway.orders import group_fx
from gateway.orders import repository as repo
from gateway.orders.context import CheckContext, CheckResult
from gateway.orders.figures import decision_json, override_json
from gateway.orders.schemas import CheckIn
from gateway.recorder.record import CheckInputs, inputs_json
from gateway.validation import require_currency, require_precision
from policies import (
    Decision,
    GradePolicy,
    OverrideRejected,
    OverrideVerdict,
    apply_override,
    evaluate,
    wants_override,
)
from policies.money import ZERO, quantize
from policies.release import Watches, apply_controls, apply_validity
from policies.remedies import with_remedies


def token_key(token: str | None) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32] if token else ""


def payload_hash(body: CheckIn) -> str:
    """The request's identity apart from the token: equal amounts hash equal."""
    amount = format(body.amount.normalize(), "f")
    parts = [body.erp, body.order_id, str(body.revision), body.customer_id, amount, body.currency]
    # Fields added later join only when given, so earlier requests keep their hashes.
    if body.order_date is not None:
        parts.append(body.order_date.isoformat())
    if body.security is not None:
        parts.append(f"security={body.security}")
    if body.payment_terms_days is not None:
        parts.append(f"terms={body.payment_terms_days}")
    canonical = "|".join(parts)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_order(conn: Connection, body: CheckIn, ctx: CheckContext) -> CheckResult:
    require_precision(body.amount, body.currency, "body.amount")
    # A group member's check locks the group first: checks of its members serialize.
    scope = group_fx.scope_of(conn, body.customer_id)
    customer = customers_repo.get_customer(conn, body.customer_id, lock=True)
    group_fx.confirm(conn, scope, body.customer_id)
    order = repo.get_order(conn, body.erp, body.order_id)
    key = token_key(body.override_token)
    if order is not None:
        replay = _replay_or_validate(conn, order, body, key)
        if replay is not None:
            return replay

    # An unknown customer has no credit currency: the order's own one stands in.
    credit_currency = customer.currency if customer is not None else body.currency
    today = ctx.now.astimezone(ctx.timezone).date()
    day = body.order_date or today
    dated = group_fx.dated_rates(conn, scope, ctx.fx_rates, ctx.policy.fx)
    fx = group_fx.rates_on(dated, ctx.fx_rates, day)
    require_currency(body.currency, "body.currency", fx, credit_currency)
    amount = fx.convert(body.amount, body.currency, credit_currency)
    if order is not None and body.revision > order.revision and ctx.overrides is not None:
        ctx.overrides.order_changed(conn, body.erp, body.order_id, amount, ctx.now)
    account = account_of(customer, today) if customer is not None else None
    # The order's own earlier reservation is left out: a new revision replaces it.
    balance = (
        balance_of(conn, customer, order.reserved if order else ZERO, ctx.items)
        if customer is not None
        else None
    )
    # What evaluate is given, recorded as given (gateway.recorder): `policy` apart.
    given: dict[str, Any] = dict(
        order_amount=amount,
        currency=body.currency,
        account=account,
        balance=balance,
        now=ctx.now,
        today=today,
        group=(
            group_figures(
                conn,
                scope.group,
                body.customer_id,
                order.reserved if order else ZERO,
                body.amount,
                body.currency,
                fx,
            )
            if scope.group is not None and customer is not None
            else None
        ),
        fx=dated.order_quote(body.currency, credit_currency, day),
        prepaid=body.security == PREPAID,
        order_terms_days=body.payment_terms_days,
    )
    decision = evaluate(**given, policy=ctx.policy)
    watches: Watches | None = None
    validity: OverrideVerdict = None
    if ctx.watch is not None and customer is not None:
        decision, watches = _watched(conn, decision, body, order, amount, ctx)
        # Released by release validity: recorded as an override (simulation replays
        # the check without it and reports it apart, as a token's release).
        validity = decision.override

    verdict: OverrideVerdict = None
    if wants_override(decision) and body.override_token:
        verdict = _redeem(
            conn, body.override_token, body, amount, ctx, decision.exposure.overdue_amount
        )
    decision = apply_override(decision, verdict)
    if account is not None and balance is not None:
        grade = ctx.policy.grades.get(account.grade, GradePolicy())
        decision = with_remedies(decision, balance.items, grade, today)

    inputs = CheckInputs(
        given,
        customer.items_etag if customer is not None else None,
        verdict or validity,
        watches,
    )
    return record_decision(
        conn,
        RequestIdentity.of(body),
        order,
        decision,
        amount,
        ctx.now,
        OrderTerms(body.security, body.payment_terms_days),
        inputs,
    )


def _replay_or_validate(
    conn: Connection, order: Any, body: CheckIn, key: str
) -> CheckResult | None:
    if order.status == repo.CANCELLED:
        raise Conflict(f"order {body.erp}/{body.order_id} was cancelled", code="ORDER_CANCELLED")
    if order.customer_id != body.customer_id:
        raise Conflict(
            f"order {body.erp}/{body.order_id} belongs to customer {order.customer_id}",
            code="CUSTOMER_MISMATCH",
        )
    if body.revision < order.revision:
        raise Conflict(
            f"revision {body.revision} is older than the latest ({order.revision})",
            code="STALE_REVISION",
            details={"latest_revision": order.revision},
        )
    if body.revision > order.revision:
        return None
    prior = repo.decisions_for(conn, body.erp, body.order_id, body.revision)
    wanted = payload_hash(body)
    if any(d.payload_hash != wanted for d in prior):
        raise Conflict(
            f"revision {body.revision} of order {body.erp}/{body.order_id} was already "
            "checked with a different payload; send a higher revision for a change",
            code="IDEMPOTENCY_CONFLICT",
        )
    # This exact request's stored answer (`key` "" for one without a token).
    own = next((d for d in prior if d.token_key == key), None)
    if key and own is not None:
        return _replayed(own)
    current = next((d for d in prior if d.decision_id == order.decision_id), None)
    if order.status == repo.RELEASED and current is not None:
        # Released at this revision (by its check, a token or a payment's re-evaluation):
        # the release answers a re-send without a token, and one with a new token, for
        # there is nothing to redeem: the token is neither spent nor able to take the
        # release back, and no new decision id appears.
        return _replayed(current)
    if key:
        return None  # a new token for a held order: evaluated again, and redeemed
    answer = own or current
    return _replayed(answer) if answer is not None else None


def _replayed(row: Any) -> CheckResult:
    stored = json.loads(row.response)
    return CheckResult(
        body=row.response.encode(),
        replayed=True,
        outcome=stored["outcome"],
        reasons=tuple(r["code"] for r in stored["reasons"]),
        decision_id=row.decision_id,
        answer=stored,
    )


def _redeem(
    conn: Connection,
    token: str,
    body: CheckIn,
    amount: Decimal,
    ctx: CheckContext,
    overdue: Decimal,
) -> OverrideVerdict:
    """Redeem the token (I/O: it is used up in this transaction); what it does to the
    decision is `policies.apply_override`'s to say."""
    if ctx.overrides is None:
        return OverrideRejected("override tokens are not enabled on this gateway")
    return ctx.overrides.redeem(conn, token, body, amount, ctx.now, overdue)


def _watched(
    conn: Connection,
    decision: Decision,
    body: CheckIn,
    order: Any,
    amount: Decimal,
    ctx: CheckContext,
) -> tuple[Decision, Watches]:
    """What earlier releases add: the customer's watches (a payment in transit, a
    repayment plan), then release validity for a later revision of an order released
    by an override. The watches are returned too: the check records them."""
    assert ctx.watch is not None
    watches = ctx.watch.watches(conn, body.customer_id, decision.exposure, ctx.now)
    decision = apply_controls(decision, watches)
    if order is not None and order.status == repo.RELEASED and body.revision > order.revision:
        release = ctx.watch.override_release(conn, body.erp, body.order_id)
        decision = apply_validity(decision, release, ctx.watch.validity, amount, ctx.now)
    return decision, watches


PREPAID = "prepaid"


@dataclass(frozen=True)
class OrderTerms:
    """The order's own terms (DESIGN §3b), stored with it for its re-evaluation."""

    security: str | None = None  # "prepaid": released unless blocked, reserves nothing
    payment_terms_days: int | None = None

    @property
    def prepaid(self) -> bool:
        return self.security == PREPAID


@dataclass(frozen=True)
class RequestIdentity:
    """What makes a decision record unique and replayable."""

    erp: str
    order_id: str
    revision: int
    customer_id: str
    payload_hash: str
    token_key: str

    @classmethod
    def of(cls, body: CheckIn) -> RequestIdentity:
        return cls(
            body.erp,
            body.order_id,
            body.revision,
            body.customer_id,
            payload_hash(body),
            token_key(body.override_token),
        )


def record_decision(
    conn: Connection,
    body: RequestIdentity,
    order: Any,
    decision: Decision,
    amount: Decimal,
    now: datetime,
    terms: OrderTerms = OrderTerms(),
    inputs: CheckInputs | None = None,
) -> CheckResult:
    """Store the answer and move the order's reservation to match it; `inputs`, what
    it was decided on, are recorded beside it (policy simulation, shadow mode)."""
    decision_id = str(time_ordered_uuid())
    override = decision.override
    answer = {
        "decision_id": decision_id,
        "erp": body.erp,
        "order_id": body.order_id,
        "revision": body.revision,
        "customer_id": body.customer_id,
        # An overridden hold keeps its reasons: the ERP sees what was released anyway.
        **decision_json(decision),
        "override": override_json(decision, override),
        "decided_at": now.isoformat(),
    }
    text = json.dumps(answer, separators=(",", ":"))
    repo.insert_decision(
        conn,
        {
            "decision_id": decision_id,
            "erp": body.erp,
            "order_id": body.order_id,
            "revision": body.revision,
            "token_key": body.token_key,
            "payload_hash": body.payload_hash,
            "customer_id": body.customer_id,
            "outcome": decision.outcome.value,
            "response": text,
            "created_at": now,
            "inputs": inputs_json(inputs) if inputs is not None else None,
        },
    )
    status = repo.RELEASED if decision.released else repo.HELD
    invoiced = order.invoiced if order is not None else Decimal(0)
    repo.save_order(
        conn,
        order,
        {
            "erp": body.erp,
            "order_id": body.order_id,
            "customer_id": body.customer_id,
            "revision": body.revision,
            "status": status,
            "amount": amount,
            "reserved": repo.reservation(status, amount, invoiced, prepaid=terms.prepaid),
            "decision_id": decision_id,
            "updated_at": now,
            "security": terms.security,
            "payment_terms_days": terms.payment_terms_days,
        },
    )
    as_of = decision.exposure.balance_as_of
    return CheckResult(
        body=text.encode(),
        replayed=False,
        outcome=decision.outcome.value,
        reasons=tuple(str(r.code) for r in decision.reasons),
        decision_id=decision_id,
        balance_age_seconds=(now - as_of).total_seconds() if as_of else None,
        inputs=inputs,
        answer=answer,
    )


def cancel_order(conn: Connection, erp: str, order_id: str, now: datetime) -> dict[str, Any]:
    order = repo.get_order(conn, erp, order_id)
    if order is None:
        raise NotFound(f"order {erp}/{order_id} is unknown", code="ORDER_NOT_FOUND")
    # Lock the customer as a check would, so a cancel never interleaves with one.
    customer = customers_repo.get_customer(conn, order.customer_id, lock=True)
    order = repo.get_order(conn, erp, order_id)
    assert order is not None
    if order.status != repo.CANCELLED:
        repo.set_status(
            conn, order, {"status": repo.CANCELLED, "reserved": Decimal(0), "updated_at": now}
        )
    return {
        "erp": erp,
        "order_id": order_id,
        "customer_id": order.customer_id,
        "status": repo.CANCELLED,
        "revision": order.revision,
        "released_reservation": str(
            quantize(order.reserved, customer.currency) if customer else order.reserved
        ),
    }
