"""The /metrics body: process metrics (multi-process aware) plus gauges read from the database.

With several workers (`gateway serve --workers N`), each process writes its
samples to PROMETHEUS_MULTIPROC_DIR and any worker can answer a scrape with all
of them (prometheus-client's multiprocess mode). Gauges that describe shared
state (pending approvals, balance freshness) are read from the database at
scrape time, so every worker reports the same truth.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from gateway.customers.repository import customers
from gateway.unfreeze.repository import requests
from gateway.unfreeze.tables import UnfreezeRequestRow  # noqa: F401  (table registration)


def balance_freshness(engine: Engine, now: datetime, stale_after: float) -> dict[str, float]:
    """How many customers' balances are stale, and the oldest balance's age (seconds)."""
    as_of = func.coalesce(customers.c.snapshot_as_of, customers.c.updated_at)
    with engine.connect() as conn:
        ages = [_age(now, r) for r in conn.execute(select(as_of)).scalars().all()]
    return {
        "stale_customers": float(sum(1 for a in ages if a > stale_after)),
        "oldest_age_seconds": max(ages, default=0.0),
    }


class DatabaseGauges(Collector):
    def __init__(self, engine: Engine, now: datetime, stale_after_seconds: float) -> None:
        self.engine = engine
        self.now = now
        self.stale_after = stale_after_seconds

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pending = GaugeMetricFamily(
            "gateway_unfreeze_pending", "Unfreeze requests waiting for approval."
        )
        oldest = GaugeMetricFamily(
            "gateway_unfreeze_oldest_pending_age_seconds",
            "Age of the oldest pending unfreeze request.",
        )
        stale = GaugeMetricFamily(
            "gateway_balances_stale", "Customers whose balance is older than the stale limit."
        )
        worst = GaugeMetricFamily(
            "gateway_balance_oldest_age_seconds", "Age of the oldest customer balance."
        )
        try:
            with self.engine.connect() as conn:
                count, first = conn.execute(
                    select(func.count(), func.min(requests.c.created_at)).where(
                        requests.c.status == "pending"
                    )
                ).one()
                as_of = func.coalesce(customers.c.snapshot_as_of, customers.c.updated_at)
                rows = conn.execute(select(as_of)).scalars().all()
        except SQLAlchemyError:
            return
        pending.add_metric([], float(count))
        oldest.add_metric([], _age(self.now, first))
        ages = [_age(self.now, r) for r in rows]
        stale.add_metric([], float(sum(1 for a in ages if a > self.stale_after)))
        worst.add_metric([], max(ages, default=0.0))
        yield from (pending, oldest, stale, worst)


def _age(now: datetime, then: object) -> float:
    if not isinstance(then, datetime):
        return 0.0
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())


def render(db: DatabaseGauges) -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    shared = CollectorRegistry()
    shared.register(db)
    return body + generate_latest(shared)
