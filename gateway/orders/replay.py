"""Idempotency: a request's identity (its hash, its token's fingerprint), and what a
check of an order already decided answers: its stored answer, or a conflict."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Connection

from gateway.errors import Conflict
from gateway.orders import repository as repo
from gateway.orders.context import CheckResult
from gateway.orders.records import DecisionKeyRecord, OrderRecord
from gateway.orders.schemas import CheckIn


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


def replay_or_validate(
    conn: Connection,
    order: OrderRecord,
    body: CheckIn,
    key: str,
    prior: list[DecisionKeyRecord] | None = None,
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
    if prior is None:
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


def _replayed(row: DecisionKeyRecord) -> CheckResult:
    stored = json.loads(row.response)
    return CheckResult(
        body=row.response.encode(),
        replayed=True,
        outcome=stored["outcome"],
        reasons=tuple(r["code"] for r in stored["reasons"]),
        decision_id=row.decision_id,
        answer=stored,
    )
