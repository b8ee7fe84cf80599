"""`POST /v1/orders/{erp}/{order_id}/cancel` as a use case: one transaction on the unit
of work, the order's reservation released (`gateway.orders.service.cancel_order`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.db.uow import UnitOfWork
from gateway.orders.service import cancel_order


def cancel(uow: UnitOfWork, erp: str, order_id: str, now: datetime) -> dict[str, Any]:
    with uow.write() as conn:
        return cancel_order(conn, erp, order_id, now)
