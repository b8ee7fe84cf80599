"""How an application is shown, and to whom."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from gateway.auth import Principal
from gateway.credit_applications import repository as repo
from gateway.credit_applications.records import ApplicationRecord
from gateway.errors import Forbidden
from policies.money import quantize
from policies.roles import OVERSEERS


def roles_of(field: str) -> list[str]:
    return [r for r in field.split(",") if r]


def deciders(row: ApplicationRecord) -> list[str]:
    return roles_of(row.required_roles) + roles_of(row.ratify_roles)


def may_read(row: ApplicationRecord, who: Principal) -> bool:
    return who.role in OVERSEERS or who.name == row.requester or who.role.value in deciders(row)


def check_visible(row: ApplicationRecord, who: Principal) -> None:
    if not may_read(row, who):
        raise Forbidden(
            "an application is read by its requester, the roles that decide it, finance "
            "roles, the general manager and admins",
            code="FORBIDDEN_APPLICATION",
        )


def _money(amount: Any, currency: str) -> str | None:
    return str(quantize(amount, currency)) if amount is not None else None


def view(conn: Connection, row: ApplicationRecord) -> dict[str, Any]:
    proposed = json.loads(row.proposed)
    currency = proposed["currency"]
    approvals = repo.approvals_of(conn, row.application_id)
    ratify = roles_of(row.ratify_roles)
    ratified = {a.role for a in approvals if a.stage == "ratify"}
    return {
        "application_id": row.application_id,
        "status": row.status,
        "kind": row.kind,
        "customer_id": row.customer_id,
        "proposed": proposed,
        "current": json.loads(row.current) if row.current else None,
        "required_roles": roles_of(row.required_roles),
        "ratify_roles": ratify,
        "awaiting_ratification": [r for r in ratify if r not in ratified]
        if row.status == "applied"
        else [],
        "approvals": [
            {
                "principal": a.principal,
                "role": a.role,
                "stage": a.stage,
                "at": a.at.isoformat(),
                "comment": a.comment,
            }
            for a in approvals
        ],
        "suggested_limit": _money(row.suggested_limit, currency),
        "forecast_monthly_sales": _money(row.forecast_monthly_sales, currency),
        "payment_terms_basis": row.payment_terms_basis,
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        "score": json.loads(row.score) if row.score else None,
        "score_total": row.score_total,
        "score_grade": row.score_grade,
        "warnings": json.loads(row.warnings),
        "justification": row.justification,
        "requester": row.requester,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "applied_at": row.applied_at.isoformat() if row.applied_at else None,
    }
