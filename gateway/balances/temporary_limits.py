"""Temporary limits (seed 004 4.3's case-by-case increases) end by themselves.

The check never needs this to have run: it reads a temporary limit past its last day
as the limit before it (`customers.service.account_of`). This writes the revert down,
audited as `master_data_changed`: periodically (the app's lifespan), and before the
pages that show master data or the audit trail. Reading first, writing only when a
limit has lapsed, in a write transaction as short as its writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from gateway.balances import master_data
from gateway.customers import repository as repo
from gateway.db.uow import UnitOfWork


def revert_lapsed(uow: UnitOfWork, now: datetime, today: date) -> int:
    """Restore the previous limit of every customer whose temporary one has ended."""
    c = repo.customers
    with uow.read() as conn:
        due = (
            conn.execute(select(c.c.customer_id).where(c.c.temporary_until < today)).scalars().all()
        )
    reverted = 0
    if not due:
        return reverted
    with uow.write() as conn:
        for customer_id in due:
            row = repo.get_customer(conn, customer_id, lock=True)
            if row is None or row.temporary_until is None or row.temporary_until >= today:
                continue  # reverted, or replaced, meanwhile
            before = master_data.credit_fields(row)
            previous = row.limit_before_temporary
            values: dict[str, Any] = {
                "temporary_until": None,
                "limit_before_temporary": None,
                "updated_at": now,
            }
            if previous is not None:
                values["credit_limit"] = previous
            repo.update_customer(conn, customer_id, values)
            after = repo.get_customer(conn, customer_id)
            assert after is not None  # read under the lock taken above
            master_data.record_change(
                conn,
                customer_id,
                before,
                master_data.credit_fields(after),
                principal="gateway",
                role="system",
                source="application",
                at=now,
                comment="temporary limit ended",
                extra={
                    "reason": "temporary_limit_ended",
                    "valid_until": row.temporary_until.isoformat(),
                },
            )
            reverted += 1
    return reverted
