"""Console sessions' rows. Never commits: the routes hold the transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from gateway.auth import Principal
from gateway.console.tables import ConsoleSessionRow
from policies.roles import Role

sessions = ConsoleSessionRow.__table__  # type: ignore[attr-defined]


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(conn: Connection, principal: Principal, now: datetime, ttl: timedelta) -> str:
    """A new session's id. Sessions that have expired (revoked ones included) are
    deleted here, so the table holds about a working day's sign-ins, not all of them."""
    conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
    session_id = secrets.token_urlsafe(32)
    conn.execute(
        insert(sessions).values(
            session_key=_key(session_id),
            principal=principal.name,
            role=principal.role.value,
            created_at=now,
            expires_at=now + ttl,
            revoked_at=None,
        )
    )
    return session_id


def find(conn: Connection, session_id: str, now: datetime) -> Principal | None:
    """The principal of a live session: neither revoked nor expired."""
    row = conn.execute(
        select(sessions.c.principal, sessions.c.role).where(
            sessions.c.session_key == _key(session_id),
            sessions.c.revoked_at.is_(None),
            sessions.c.expires_at > now,
        )
    ).first()
    if row is None:
        return None
    try:
        return Principal(row.principal, Role(row.role))
    except ValueError:  # a role this release no longer knows
        return None


def revoke(conn: Connection, session_id: str, now: datetime) -> None:
    conn.execute(
        update(sessions)
        .where(sessions.c.session_key == _key(session_id), sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
