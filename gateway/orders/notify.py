"""Telling ERPs about orders the gateway released after the fact."""

from __future__ import annotations

import json
from dataclasses import dataclass

import structlog

from adapters.errors import ErpError
from adapters.sources import ErpSource
from gateway import metrics

log = structlog.get_logger("gateway.sync")


@dataclass(frozen=True)
class Released:
    erp: str
    order_id: str
    revision: int
    customer_id: str
    decision_id: str
    answer: bytes


async def notify_releases(released: list[Released], sources: dict[str, ErpSource]) -> None:
    """Tell each order's ERP that it was released; failures are counted, not fatal."""
    for r in released:
        source = sources.get(r.erp)
        if source is None:
            continue
        try:
            await source.notify_release(json.loads(r.answer))
            log.info("release_notified", erp=r.erp, order_id=r.order_id, decision_id=r.decision_id)
        except ErpError as exc:
            metrics.ERP_CALLBACK_FAILURES.labels(erp=r.erp).inc()
            log.warning(
                "release_notify_failed", erp=r.erp, order_id=r.order_id, error=str(exc)[:300]
            )
