"""The credit fields of a customer's master data and the audit of their changes.

Every change of the limit, terms, grade, review date or block, whoever makes it (the
ERP, an admin, an applied credit application, a temporary limit running out), appends
one `master_data_changed` event with the principal, the source, before and after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection

from gateway import audit
from gateway.customers.records import CustomerRecord
from gateway.customers.service import money_str

Source = Literal["erp", "admin", "application", "committee"]
CREDIT_FIELDS = ("credit_limit", "payment_terms_days", "grade", "review_date", "blocked")
MASTER_DATA_CHANGED = "master_data_changed"


def credit_fields(row: CustomerRecord) -> dict[str, Any]:
    """The audited fields of a stored customer row, as JSON values."""
    return {
        "credit_limit": money_str(row.credit_limit, row.currency),
        "currency": row.currency,
        "payment_terms_days": row.payment_terms_days,
        "grade": row.grade,
        "review_date": row.review_date.isoformat() if row.review_date else None,
        "blocked": bool(row.blocked),
        "temporary_until": row.temporary_until.isoformat() if row.temporary_until else None,
    }


def record_change(
    conn: Connection,
    customer_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    principal: str,
    role: str,
    source: Source,
    at: datetime,
    comment: str | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Append the event if an audited field changed (or the customer is new)."""
    watched = (*CREDIT_FIELDS, "currency")
    if before is not None and all(before.get(k) == after.get(k) for k in watched):
        return False
    audit.append(
        conn,
        at=at,
        kind=MASTER_DATA_CHANGED,
        principal=principal,
        role=role,
        customer_id=customer_id,
        comment=comment,
        data={
            "source": source,
            "before": before,
            "after": after,
            "changed": [k for k in watched if before is None or before.get(k) != after.get(k)],
            **(extra or {}),
        },
    )
    return True
