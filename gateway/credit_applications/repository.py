"""Credit applications and their approvals. Never commits; never deletes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from gateway.credit_applications.records import (
    ApplicationApprovalRecord,
    ApplicationRecord,
    AppliedRecord,
)
from gateway.credit_applications.tables import CreditApplicationApprovalRow, CreditApplicationRow
from gateway.db.records import as_record_or_none, as_records

applications = CreditApplicationRow.__table__  # type: ignore[attr-defined]
approvals = CreditApplicationApprovalRow.__table__  # type: ignore[attr-defined]


def get(conn: Connection, application_id: str, *, lock: bool = False) -> ApplicationRecord | None:
    stmt = select(applications).where(applications.c.application_id == application_id)
    if lock and conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return as_record_or_none(ApplicationRecord, conn.execute(stmt).first())


def list_applications(
    conn: Connection,
    *,
    status: str | None = None,
    customer_id: str | None = None,
    lapsed_before: datetime | None = None,
    limit: int = 500,
) -> list[ApplicationRecord]:
    stmt = select(applications)
    if status:
        stmt = stmt.where(applications.c.status == status)
    if customer_id:
        stmt = stmt.where(applications.c.customer_id == customer_id)
    if lapsed_before is not None:
        stmt = stmt.where(applications.c.expires_at <= lapsed_before)
    stmt = stmt.order_by(applications.c.created_at, applications.c.application_id)
    return as_records(ApplicationRecord, conn.execute(stmt.limit(limit)))


def applied(conn: Connection) -> list[AppliedRecord]:
    """Every applied or ratified application, by customer, then in order of applying."""
    rows = conn.execute(
        select(
            applications.c.application_id,
            applications.c.customer_id,
            applications.c.proposed,
            applications.c.valid_until,
            applications.c.applied_at,
        )
        .where(applications.c.status.in_(("applied", "ratified")))
        .order_by(applications.c.customer_id, applications.c.applied_at)
    )
    return as_records(AppliedRecord, rows)


def insert_application(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(applications).values(**values))


def set_status(conn: Connection, application_id: str, values: dict[str, Any]) -> None:
    conn.execute(
        update(applications).where(applications.c.application_id == application_id).values(**values)
    )


def approvals_of(conn: Connection, application_id: str) -> list[ApplicationApprovalRecord]:
    stmt = select(approvals).where(approvals.c.application_id == application_id)
    found = as_records(ApplicationApprovalRecord, conn.execute(stmt))
    return sorted(found, key=lambda a: (a.at, a.role))


def insert_approval(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(approvals).values(**values))
