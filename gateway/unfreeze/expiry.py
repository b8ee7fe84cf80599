"""Pending requests lapse at `expires_at`, and are expired (and audited) when read.

Expiring writes, showing does not: the endpoints that show requests read them in a
read transaction, and give only the lapsed ones a write transaction, of their own. A
write transaction holds SQLite's writer, which every check's group commit waits for,
so it must never stay open for reading and rendering.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.auth import Principal
from gateway.db.uow import UnitOfWork
from gateway.unfreeze import repository as repo
from gateway.unfreeze import service, views
from gateway.unfreeze.context import UnfreezeContext
from gateway.unfreeze.records import UnfreezeRequestRecord
from policies.unfreeze import RequestStatus, lapsed


def expire_if_lapsed(
    uow: UnitOfWork, request_id: str, ctx: UnfreezeContext, viewer: Principal
) -> None:
    """Before showing one request: 404 or 403 as it is, then expire it if it lapsed."""
    with uow.read() as conn:
        row = service.find(conn, request_id)
    views.check_visible(row, viewer)  # before anything is written on the viewer's behalf
    _expire(uow, [row], ctx)


def expire_lapsed_pending(uow: UnitOfWork, ctx: UnfreezeContext, requester: str | None) -> None:
    """Before listing requests (of `requester`, or everyone's): expire the lapsed ones,
    so that "pending" means still decidable."""
    with uow.read() as conn:
        pending = repo.list_requests(conn, status="pending", requester=requester, customer_id=None)
    _expire(uow, pending, ctx)


def _expire(uow: UnitOfWork, rows: Iterable[UnfreezeRequestRecord], ctx: UnfreezeContext) -> None:
    due = [r.request_id for r in rows if lapsed(RequestStatus(r.status), r.expires_at, ctx.now)]
    if due:
        with uow.write() as conn:
            for request_id in due:
                # Locked and read again, as an approval reads it: one that committed
                # meanwhile stands, and two readers never expire it twice.
                service.load(conn, request_id, ctx, lock=True)
