"""Override tokens' life in the shell: issued when a request is approved, revoked by
a credit controller until redeemed (redeeming is `gateway.unfreeze.redeem`).

Both run inside the caller's transaction, with their audit events.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection

from gateway import audit, metrics
from gateway.auth import Principal
from gateway.errors import Conflict, NotFound
from gateway.unfreeze import repository as repo
from gateway.unfreeze.context import UnfreezeContext
from gateway.unfreeze.records import UnfreezeRequestRecord


def issue_token(conn: Connection, row: UnfreezeRequestRecord, ctx: UnfreezeContext) -> None:
    token_id = str(uuid.uuid4())
    # Whole seconds: the signed claims carry epoch seconds.
    expires = (ctx.now + ctx.token_ttl).replace(microsecond=0)
    repo.insert_token(
        conn,
        {
            "token_id": token_id,
            "request_id": row.request_id,
            "erp": row.erp,
            "order_id": row.order_id,
            "customer_id": row.customer_id,
            "max_amount": row.amount,
            "status": "issued",
            "issued_at": ctx.now,
            "expires_at": expires,
        },
    )
    audit.step(
        conn,
        row,
        "token_issued",
        None,
        ctx.now,
        None,
        {
            "token_id": token_id,
            "max_amount": str(row.amount),
            "expires_at": expires.isoformat(),
        },
    )
    metrics.OVERRIDE_TOKENS.labels(event="issued").inc()


def revoke_token(
    conn: Connection, token_id: str, who: Principal, ctx: UnfreezeContext
) -> dict[str, Any]:
    token = repo.get_token(conn, token_id, lock=True)
    if token is None:
        raise NotFound(f"override token {token_id} is unknown", code="TOKEN_NOT_FOUND")
    if token.status == "redeemed":
        raise Conflict("the token was already redeemed", code="TOKEN_ALREADY_REDEEMED")
    if token.status == "issued":
        repo.mark_token(
            conn,
            token_id,
            "issued",
            {"status": "revoked", "revoked_at": ctx.now, "revoked_by": who.name},
        )
        row = repo.get_request(conn, token.request_id)
        assert row is not None
        audit.step(conn, row, "token_revoked", who, ctx.now, None, {"token_id": token_id})
        metrics.OVERRIDE_TOKENS.labels(event="revoked").inc()
    return {"token_id": token_id, "status": "revoked", "request_id": token.request_id}
