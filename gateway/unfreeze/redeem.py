"""Redeeming an override token inside the check's transaction.

The check already holds the customer's lock, and a token is bound to one
customer, so two checks racing with one token are serialized there; the
conditional UPDATE (issued -> redeemed) makes single use hold even without it.
A failed attempt leaves the token as it was.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import structlog
from sqlalchemy import Connection

from gateway import audit, metrics
from gateway.orders.schemas import CheckIn
from gateway.unfreeze import repository as repo
from gateway.unfreeze.conditions import Conditions
from gateway.unfreeze.records import UnfreezeRequestRecord
from gateway.unfreeze.service import void_pending_for_order
from gateway.unfreeze.tokens import BadTokenError, TokenSigner, fingerprint
from gateway.unfreeze.watch import record_override_release, watch_plan
from policies import Override, OverrideRejected
from policies.unfreeze import RejectionCause, TokenGrant, TokenStatus, redemption_problem

log = structlog.get_logger("gateway.overrides")


class TokenRedeemer:
    def __init__(self, signer: TokenSigner, conditions: Conditions | None = None) -> None:
        self.signer = signer
        self.conditions = conditions

    def redeem(
        self,
        conn: Connection,
        token: str,
        order: CheckIn,
        amount: Decimal,
        now: datetime,
        overdue: Decimal | None = None,
    ) -> Override | OverrideRejected:
        try:
            claims = self.signer.verify(token)
        except BadTokenError:
            return self._rejected(
                conn,
                order,
                now,
                token,
                RejectionCause.BAD_SIGNATURE,
                "the token's signature is not valid",
                None,
            )
        row = repo.get_token(conn, claims.token_id, lock=True)
        if row is None:
            return self._rejected(
                conn,
                order,
                now,
                token,
                RejectionCause.UNKNOWN,
                "the token is unknown to this gateway",
                None,
            )
        grant = TokenGrant(
            row.token_id,
            row.erp,
            row.order_id,
            row.customer_id,
            row.max_amount,
            row.expires_at,
            TokenStatus(row.status),
        )
        problem = redemption_problem(
            grant, order.erp, order.order_id, order.customer_id, amount, now
        )
        request = repo.get_request(conn, row.request_id)
        assert request is not None
        if problem is None and not self._condition_met(request, overdue):
            problem = (
                RejectionCause.CONDITION_NOT_MET,
                "the request's condition paid_overdue is not met: the customer's overdue "
                f"is {overdue}",
            )
        if problem is None and not repo.mark_token(
            conn, row.token_id, "issued", {"status": "redeemed", "redeemed_at": now}
        ):
            problem = (RejectionCause.ALREADY_USED, "the token has already been used")
        if problem is not None:
            return self._rejected(conn, order, now, token, problem[0], problem[1], row.request_id)
        approvals = repo.approvals_of(conn, row.request_id)
        approved_by = tuple(a.principal for a in approvals)
        record_override_release(conn, request, approved_by, amount, now)
        watch_plan(conn, request, now)
        audit.append(
            conn,
            at=now,
            kind="token_redeemed",
            principal="erp",
            role="erp",
            request_id=row.request_id,
            erp=order.erp,
            order_id=order.order_id,
            customer_id=order.customer_id,
            data={"token_id": row.token_id, "revision": order.revision, "amount": str(amount)},
        )
        metrics.OVERRIDE_TOKENS.labels(event="redeemed").inc()
        log.info("override_redeemed", unfreeze_request_id=row.request_id, token=fingerprint(token))
        return Override(row.request_id, approved_by)

    def _condition_met(self, request: UnfreezeRequestRecord, overdue: Decimal | None) -> bool:
        if self.conditions is None or overdue is None:
            return True
        return self.conditions.met(request, overdue)

    def _rejected(
        self,
        conn: Connection,
        order: CheckIn,
        now: datetime,
        token: str,
        cause: RejectionCause,
        message: str,
        request_id: str | None,
    ) -> OverrideRejected:
        audit.append(
            conn,
            at=now,
            kind="token_rejected",
            principal="erp",
            role="erp",
            request_id=request_id,
            erp=order.erp,
            order_id=order.order_id,
            customer_id=order.customer_id,
            data={"cause": cause.value, "token": fingerprint(token)},
        )
        metrics.OVERRIDE_REJECTIONS.labels(cause=cause.value).inc()
        log.info("override_rejected", cause=cause.value, token=fingerprint(token))
        return OverrideRejected(f"{message} ({cause.value})")

    def order_changed(
        self, conn: Connection, erp: str, order_id: str, amount: Decimal, now: datetime
    ) -> None:
        void_pending_for_order(conn, erp, order_id, amount, now)
