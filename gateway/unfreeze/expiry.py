"""Pending requests lapse at `expires_at`, and are expired (and audited) when read.

Expiring writes, showing does not: the endpoints that show requests read them in a
read transaction, and give only the lapsed ones a write transaction, of their own. A
write transaction holds SQLite's writer, which the checks' group commit waits for on
the event loop, so it must never stay open for reading and rendering.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row

from gateway.db.engine import write_tx
from gateway.unfreeze import service
from policies.unfreeze import RequestStatus


def lapsed(row: Row[Any], now: datetime) -> bool:
    """A pending request past its time: `service.load` would expire it."""
    due: bool = row.status == RequestStatus.PENDING and now >= row.expires_at
    return due


def expire_lapsed(engine: Engine, rows: Iterable[Row[Any]], ctx: service.UnfreezeContext) -> None:
    """Expire the lapsed requests among `rows`, in one short write transaction."""
    due = [row.request_id for row in rows if lapsed(row, ctx.now)]
    if due:
        with write_tx(engine) as conn:
            for request_id in due:
                # Locked and read again, as an approval reads it: one that committed
                # meanwhile stands, and two readers never expire it twice.
                service.load(conn, request_id, ctx, lock=True)
