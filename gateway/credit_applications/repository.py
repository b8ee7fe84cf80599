"""Credit applications and their approvals. Never commits; never deletes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from gateway.credit_applications.tables import CreditApplicationApprovalRow, CreditApplicationRow

applications = CreditApplicationRow.__table__  # type: ignore[attr-defined]
approvals = CreditApplicationApprovalRow.__table__  # type: ignore[attr-defined]


def get(conn: Connection, application_id: str, *, lock: bool = False) -> Row[Any] | None:
    stmt = select(applications).where(applications.c.application_id == application_id)
    if lock and conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def list_applications(
    conn: Connection,
    *,
    status: str | None = None,
    customer_id: str | None = None,
    lapsed_before: datetime | None = None,
    limit: int = 500,
) -> Sequence[Row[Any]]:
    stmt = select(applications)
    if status:
        stmt = stmt.where(applications.c.status == status)
    if customer_id:
        stmt = stmt.where(applications.c.customer_id == customer_id)
    if lapsed_before is not None:
        stmt = stmt.where(applications.c.expires_at <= lapsed_before)
    stmt = stmt.order_by(applications.c.created_at, applications.c.application_id)
    return conn.execute(stmt.limit(limit)).all()


def insert_application(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(applications).values(**values))


def set_status(conn: Connection, application_id: str, values: dict[str, Any]) -> None:
    conn.execute(
        update(applications).where(applications.c.application_id == application_id).values(**values)
    )


def approvals_of(conn: Connection, application_id: str) -> Sequence[Row[Any]]:
    stmt = select(approvals).where(approvals.c.application_id == application_id)
    return sorted(conn.execute(stmt).all(), key=lambda a: (a.at, a.role))


def insert_approval(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(approvals).values(**values))
