"""The append-only audit trail: every step of every unfreeze, every forced snapshot,
with who, when and why. Shared by the features, so it stands below them.

There is deliberately no update or delete here, and
`tests/unit/test_audit_append_only.py` fails if any code in gateway/ gains one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Row, insert, select

from gateway.auth import Principal
from gateway.db.tables import AuditEventRow
from gateway.db.uow import UnitOfWork

audit_events = AuditEventRow.__table__  # type: ignore[attr-defined]


def append(
    conn: Connection,
    *,
    at: datetime,
    kind: str,
    principal: str,
    role: str,
    request_id: str | None = None,
    erp: str | None = None,
    order_id: str | None = None,
    customer_id: str | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(audit_events).values(
            at=at,
            kind=kind,
            principal=principal,
            role=role,
            request_id=request_id,
            erp=erp,
            order_id=order_id,
            customer_id=customer_id,
            comment=comment,
            data=json.dumps(data, sort_keys=True) if data is not None else None,
        )
    )


def query(
    conn: Connection,
    *,
    erp: str | None = None,
    order_id: str | None = None,
    customer_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
    limit: int = 500,
) -> Sequence[Row[Any]]:
    stmt = select(audit_events)
    if kind is not None:
        stmt = stmt.where(audit_events.c.kind == kind)
    if erp is not None:
        stmt = stmt.where(audit_events.c.erp == erp)
    if order_id is not None:
        stmt = stmt.where(audit_events.c.order_id == order_id)
    if customer_id is not None:
        stmt = stmt.where(audit_events.c.customer_id == customer_id)
    if since is not None:
        stmt = stmt.where(audit_events.c.at >= since)
    if until is not None:
        stmt = stmt.where(audit_events.c.at < until)
    stmt = stmt.order_by(audit_events.c.at, audit_events.c.event_id).limit(limit)
    return conn.execute(stmt).all()


def events(uow: UnitOfWork, **filters: Any) -> list[dict[str, Any]]:
    """The trail's events (filtered as `query` is), oldest first, as the API shows them."""
    with uow.read() as conn:
        return [event_json(r) for r in query(conn, **filters)]


def day_window(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The UTC instants from the start of day `first` to the end of day `last` (either
    open). The last day of the calendar has no next day to end at: its window stays open."""
    since = datetime.combine(first, time.min, UTC) if first else None
    until = (
        datetime.combine(last + timedelta(days=1), time.min, UTC)
        if last is not None and last < date.max
        else None
    )
    return since, until


def event_json(row: Row[Any]) -> dict[str, Any]:
    data = json.loads(row.data) if row.data else None
    body = {
        "event_id": row.event_id,
        "at": row.at.isoformat(),
        "kind": row.kind,
        "principal": row.principal,
        "role": row.role,
        "request_id": row.request_id,
        "erp": row.erp,
        "order_id": row.order_id,
        "customer_id": row.customer_id,
        "comment": row.comment,
        "data": data,
    }
    if row.kind == "master_data_changed" and data is not None:
        # Who changed a customer's credit fields, from where, from what to what.
        body.update({k: data.get(k) for k in ("source", "before", "after")})
    return body


class StepOf(Protocol):
    """What a step's event names: the request (an unfreeze request's record)."""

    @property
    def request_id(self) -> str: ...
    @property
    def erp(self) -> str: ...
    @property
    def order_id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...


def step(
    conn: Connection,
    row: StepOf,
    kind: str,
    who: Principal | None,
    at: datetime,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """The event of one step of a request: by `who`, or by the gateway itself."""
    append(
        conn,
        at=at,
        kind=kind,
        principal=who.name if who else "gateway",
        role=who.role.value if who else "system",
        request_id=row.request_id,
        erp=row.erp,
        order_id=row.order_id,
        customer_id=row.customer_id,
        comment=comment,
        data=data,
    )
