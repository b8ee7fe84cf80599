"""How a request is shown: to whom, and with the token only for its requester."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from gateway.auth import Principal
from gateway.errors import Forbidden
from gateway.unfreeze import repository as repo
from gateway.unfreeze.context import UnfreezeContext
from gateway.unfreeze.records import UnfreezeRequestRecord
from gateway.unfreeze.tokens import TokenClaims
from policies.money import quantize
from policies.roles import Role

OVERSEERS = (
    Role.ADMIN,
    Role.FINANCE_MANAGER,
    Role.SALES_MANAGER,
    Role.GENERAL_MANAGER,
    Role.CREDIT_CONTROLLER,
    Role.CFO,
)


def view(
    conn: Connection, row: UnfreezeRequestRecord, viewer: Principal, ctx: UnfreezeContext
) -> dict[str, Any]:
    approvals = repo.approvals_of(conn, row.request_id)
    token = repo.token_of_request(conn, row.request_id)
    body: dict[str, Any] = {
        "request_id": row.request_id,
        "status": row.status,
        "required_roles": row.required_roles.split(","),
        "approvals": [
            {"principal": a.principal, "role": a.role, "at": a.at.isoformat(), "comment": a.comment}
            for a in approvals
        ],
        "erp": row.erp,
        "order_id": row.order_id,
        "revision": row.revision,
        "customer_id": row.customer_id,
        "decision_id": row.decision_id,
        "amount": str(quantize(row.amount, row.currency)),
        "currency": row.currency,
        "condition": row.condition,
        "justification": row.justification,
        "repayment_plan": json.loads(row.repayment_plan) if row.repayment_plan else None,
        "figures": json.loads(row.figures),
        "requester": row.requester,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "token_id": token.token_id if token else None,
        "token_status": token.status if token else None,
        # Who rejected, and why (the requester sees it).
        "rejection": (
            {
                "principal": row.decided_by,
                "role": row.decided_role,
                "comment": row.decision_comment,
                "at": row.decided_at.isoformat() if row.decided_at else None,
            }
            if row.status == "rejected" and row.decided_by
            else None
        ),
        # The credit controller's release, with the figures then (`figures`: at filing).
        "released_at": row.released_at.isoformat() if row.released_at else None,
        "released_by": row.released_by,
        "release_decision_id": row.release_decision_id,
        "release_figures": json.loads(row.release_figures) if row.release_figures else None,
        "bank_reference": row.bank_reference,
    }
    shows_token = ctx.release_by != "controller"  # "controller": only the controller releases
    if token is not None and viewer.name == row.requester and shows_token:
        # Only the requester sees the token itself; it is re-derived, never stored.
        body["token"] = ctx.signer.issue(
            TokenClaims(
                token.token_id,
                row.request_id,
                token.erp,
                token.order_id,
                token.customer_id,
                token.max_amount,
                token.expires_at,
            )
        )
        body["token_expires_at"] = token.expires_at.isoformat()
    return body


def check_visible(row: UnfreezeRequestRecord, viewer: Principal) -> None:
    if viewer.role in OVERSEERS or viewer.name == row.requester:
        return
    raise Forbidden("a sales rep sees only their own requests", code="FORBIDDEN_REQUEST")
