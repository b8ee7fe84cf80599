"""Unfreeze requests, approvals and tokens. Never commits; never deletes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, insert, select, update

from gateway.db.fast import FastStatement, Read
from gateway.db.records import as_record_or_none, as_records
from gateway.unfreeze.records import (
    ApprovalRecord,
    OverrideReleaseRecord,
    TokenRecord,
    UnfreezeRequestRecord,
    WatchRecord,
)
from gateway.unfreeze.tables import (
    ApprovalRow,
    CustomerWatchRow,
    OverrideReleaseRow,
    OverrideTokenRow,
    UnfreezeRequestRow,
)
from policies.roles import APPROVER_ROLES

requests = UnfreezeRequestRow.__table__  # type: ignore[attr-defined]
approvals = ApprovalRow.__table__  # type: ignore[attr-defined]
tokens = OverrideTokenRow.__table__  # type: ignore[attr-defined]


def _locked(conn: Connection, stmt: Select[Any]) -> Select[Any]:
    return stmt.with_for_update() if conn.dialect.name != "sqlite" else stmt


def get_request(
    conn: Connection, request_id: str, *, lock: bool = False
) -> UnfreezeRequestRecord | None:
    stmt = select(requests).where(requests.c.request_id == request_id)
    row = conn.execute(_locked(conn, stmt) if lock else stmt).first()
    return as_record_or_none(UnfreezeRequestRecord, row)


def list_requests(
    conn: Connection,
    *,
    status: str | None,
    requester: str | None,
    customer_id: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 5000,
) -> list[UnfreezeRequestRecord]:
    stmt = select(requests)
    if status:
        stmt = stmt.where(requests.c.status == status)
    # Released requests are filed by the day of their release, the others by filing.
    when = requests.c.released_at if status == "released" else requests.c.created_at
    if since is not None:
        stmt = stmt.where(when >= since)
    if until is not None:
        stmt = stmt.where(when < until)
    if requester:
        stmt = stmt.where(requests.c.requester == requester)
    if customer_id:
        stmt = stmt.where(requests.c.customer_id == customer_id)
    rows = conn.execute(stmt.order_by(when, requests.c.request_id).limit(limit))
    return as_records(UnfreezeRequestRecord, rows)


def open_requests_for_order(
    conn: Connection, erp: str, order_id: str
) -> list[UnfreezeRequestRecord]:
    stmt = select(requests).where(
        requests.c.erp == erp,
        requests.c.order_id == order_id,
        requests.c.status.in_(("pending", "approved")),
    )
    return as_records(UnfreezeRequestRecord, conn.execute(_locked(conn, stmt)))


def blocking_request_for_order(
    conn: Connection, erp: str, order_id: str, now: datetime, *, lock: bool = False
) -> UnfreezeRequestRecord | None:
    """The order's request still under way, if any: a pending one not yet lapsed, or an
    approved one whose token can still be redeemed. One whose token was revoked or
    expired unused (or a lapsed one) leaves the order free to be asked for again."""
    usable_token = (
        select(tokens.c.token_id)
        .where(
            tokens.c.request_id == requests.c.request_id,
            tokens.c.status == "issued",
            tokens.c.expires_at > now,
        )
        .exists()
    )
    stmt = select(requests).where(
        requests.c.erp == erp,
        requests.c.order_id == order_id,
        ((requests.c.status == "pending") & (requests.c.expires_at > now))
        | ((requests.c.status == "approved") & usable_token),
    )
    return as_record_or_none(
        UnfreezeRequestRecord, conn.execute(_locked(conn, stmt) if lock else stmt).first()
    )


def insert_request(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(requests).values(**values))


def set_request_status(conn: Connection, request_id: str, status: str, at: datetime) -> None:
    conn.execute(
        update(requests)
        .where(requests.c.request_id == request_id)
        .values(status=status, decided_at=at)
    )


def approvals_of(conn: Connection, request_id: str) -> list[ApprovalRecord]:
    """In time order; approvals at the same instant in the matrix's role order."""
    stmt = select(approvals).where(approvals.c.request_id == request_id)
    rank = {role.value: n for n, role in enumerate(APPROVER_ROLES)}
    found = as_records(ApprovalRecord, conn.execute(stmt))
    return sorted(found, key=lambda a: (a.at, rank.get(a.role, 99)))


def insert_approval(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(approvals).values(**values))


def token_of_request(conn: Connection, request_id: str) -> TokenRecord | None:
    row = conn.execute(select(tokens).where(tokens.c.request_id == request_id)).first()
    return as_record_or_none(TokenRecord, row)


def get_token(conn: Connection, token_id: str, *, lock: bool = False) -> TokenRecord | None:
    stmt = select(tokens).where(tokens.c.token_id == token_id)
    return as_record_or_none(
        TokenRecord, conn.execute(_locked(conn, stmt) if lock else stmt).first()
    )


def insert_token(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tokens).values(**values))


def mark_token(conn: Connection, token_id: str, expected: str, values: dict[str, Any]) -> bool:
    """Move a token out of `expected` status; False if someone else moved it first."""
    result = conn.execute(
        update(tokens)
        .where(tokens.c.token_id == token_id, tokens.c.status == expected)
        .values(**values)
    )
    return result.rowcount == 1


def has_open_approvals(conn: Connection, customer_id: str, now: datetime) -> bool:
    """A pending request or a token still to redeem: figures in the credit currency."""
    pending = select(requests.c.request_id).where(
        requests.c.customer_id == customer_id,
        requests.c.status == "pending",
        requests.c.expires_at > now,  # lapsed ones count for nothing, expired or not yet
    )
    issued = select(tokens.c.token_id).where(
        tokens.c.customer_id == customer_id,
        tokens.c.status == "issued",
        tokens.c.expires_at > now,
    )
    return conn.execute(pending.limit(1)).first() is not None or (
        conn.execute(issued.limit(1)).first() is not None
    )


# Watches and override releases (gateway.unfreeze.watch, gateway.unfreeze.release).
watches = CustomerWatchRow.__table__  # type: ignore[attr-defined]
override_releases = OverrideReleaseRow.__table__  # type: ignore[attr-defined]


# Read on every check (gateway.unfreeze.watch): built once, run on the driver
# (gateway.db.fast); through conn.execute it cost a check more than its other
# statements together, for a customer without any watch.
_open_watches = FastStatement(
    select(watches)
    .where(watches.c.customer_id == bindparam("cid"), watches.c.status == "open")
    .order_by(watches.c.created_at, watches.c.watch_id)
)


def open_watches(conn: Connection, customer_id: str) -> list[WatchRecord]:
    return as_records(WatchRecord, _open_watches.rows(conn, {"cid": customer_id}))


def open_watches_read(customer_id: str) -> Read:
    """`open_watches`, to be sent with the check's other reads (PostgreSQL)."""
    return _open_watches, {"cid": customer_id}


def insert_watch(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(watches).values(**values))


def close_watch(conn: Connection, watch_id: str, at: datetime) -> None:
    conn.execute(
        update(watches)
        .where(watches.c.watch_id == watch_id, watches.c.status == "open")
        .values(status="closed", closed_at=at)
    )


def get_override_release(conn: Connection, erp: str, order_id: str) -> OverrideReleaseRecord | None:
    stmt = select(override_releases).where(
        override_releases.c.erp == erp, override_releases.c.order_id == order_id
    )
    return as_record_or_none(OverrideReleaseRecord, conn.execute(stmt).first())


def put_override_release(conn: Connection, values: dict[str, Any]) -> None:
    """One row per order: its latest release by an override."""
    moved = conn.execute(
        update(override_releases)
        .where(
            override_releases.c.erp == values["erp"],
            override_releases.c.order_id == values["order_id"],
        )
        .values(**values)
    )
    if moved.rowcount == 0:
        conn.execute(insert(override_releases).values(**values))


def set_request_fields(conn: Connection, request_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(requests).where(requests.c.request_id == request_id).values(**values))
