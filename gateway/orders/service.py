"""The check: one transaction that reads the account, decides, and records.

Per customer the checks are serialized (row lock on PostgreSQL, BEGIN IMMEDIATE on
SQLite), so concurrent orders can never together release more than the limit.

Three phases, so that one `decide` serves both ways a check is run: read
(`gateway.orders.reads`: in turn on the general path, all at once on PostgreSQL's),
`decide` (everything between the reads and the writes; the decision itself is
`policies.evaluate`'s), and `Decided.record` (the decision record, the order and its
reservation). `check_order` runs them in the transaction it is given: SQLite's group
commit, or on PostgreSQL a `gateway.db.pipeline.pipelined_tx`, where an ordinary
check costs two round trips: BEGIN with every read, then the writes with COMMIT (see
`gateway.orders.reads` for what is read ahead, and for whom).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from gateway.customers import repository as customers_repo
from gateway.customers.service import account_of, balance_of
from gateway.db.pipeline import begin, is_pipelined, queue_writes
from gateway.errors import NotFound
from gateway.groups.figures import group_figures
from gateway.ids import time_ordered_uuid
from gateway.orders import group_fx
from gateway.orders import repository as repo
from gateway.orders.context import CheckContext, CheckResult
from gateway.orders.figures import decision_json, override_json
from gateway.orders.reads import CheckReads, read_ahead, read_in_turn
from gateway.orders.records import OrderRecord
from gateway.orders.replay import payload_hash, replay_or_validate, token_key
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


def check_order(conn: Connection, body: CheckIn, ctx: CheckContext) -> CheckResult:
    """The check in the transaction `conn` is in: read, decide, record. In a
    `pipelined_tx` (PostgreSQL) the reads go with BEGIN and the writes with COMMIT."""
    require_precision(body.amount, body.currency, "body.amount")
    if not is_pipelined(conn):
        decided = decide(conn, body, ctx, read_in_turn(conn, body))
        return decided if isinstance(decided, CheckResult) else decided.record(conn)
    # PostgreSQL: BEGIN with the reads, COMMIT with the writes (gateway.db.pipeline).
    outside = ctx.outside_groups
    if outside is not None and body.customer_id in outside:
        reads = read_ahead(conn, body, ctx)
    else:
        begin(conn)
        reads = read_in_turn(conn, body)
    if outside is not None:
        outside.note(body.customer_id, in_group=reads.scope.group is not None)
    decided = decide(conn, body, ctx, reads)
    if isinstance(decided, CheckResult):
        return decided
    return queue_writes(conn, lambda: decided.record(conn))


@dataclass(frozen=True)
class Decided:
    """A decision made, to be recorded (`record`) in the check's transaction."""

    request: RequestIdentity
    order: OrderRecord | None  # as read; None for a new order
    decision: Decision
    amount: Decimal
    now: datetime
    terms: OrderTerms
    inputs: CheckInputs

    def record(self, conn: Connection) -> CheckResult:
        return record_decision(
            conn,
            self.request,
            self.order,
            self.decision,
            self.amount,
            self.now,
            self.terms,
            self.inputs,
        )


def decide(
    conn: Connection, body: CheckIn, ctx: CheckContext, reads: CheckReads
) -> Decided | CheckResult:
    """The decision on what was read (`reads`), or the stored answer of a replay.

    What `reads` does not hold is read here, on `conn`, in the same transaction: a
    token's redemption, a closed watch, release validity, rates after a change."""
    scope, customer, order = reads.scope, reads.customer, reads.order
    key = token_key(body.override_token)
    if order is not None:
        replay = replay_or_validate(conn, order, body, key, reads.decisions)
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
        balance_of(conn, customer, order.reserved if order else ZERO, ctx.items, reads.items)
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
        decision, watches = _watched(conn, decision, body, order, amount, ctx, reads.watches)
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
    return Decided(
        RequestIdentity.of(body),
        order,
        decision,
        amount,
        ctx.now,
        OrderTerms(body.security, body.payment_terms_days),
        inputs,
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
    order: OrderRecord | None,
    amount: Decimal,
    ctx: CheckContext,
    rows: list[Any] | None = None,
) -> tuple[Decision, Watches]:
    """What earlier releases add: the customer's watches (a payment in transit, a
    repayment plan), then release validity for a later revision of an order released
    by an override. The watches are returned too: the check records them; `rows`:
    the open watches if already read."""
    assert ctx.watch is not None
    watches = ctx.watch.watches(conn, body.customer_id, decision.exposure, ctx.now, rows)
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
    order: OrderRecord | None,
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
            # What the answer's figures are in: re-evaluation converts from it.
            "currency": decision.exposure.currency,
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
