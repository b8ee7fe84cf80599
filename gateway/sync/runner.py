"""The balance sync: per ERP, pull master data and open items on a schedule.

One process of many runs a given ERP's sync at a time (a lease row in the
database). Failures of one customer do not stop the others; the ERP's errors are
already split by the adapter into transient (retried there) and permanent ones.
Checks never wait for any of this: they answer from what is stored.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import anyio
import structlog
from sqlalchemy import insert, select, update

from adapters.errors import ErpError
from adapters.sources import ErpSource
from gateway import metrics
from gateway.balances.service import Owner, SnapshotRejected, apply_snapshot
from gateway.db.tables import SyncState
from gateway.db.uow import UnitOfWork
from gateway.errors import GatewayError
from gateway.orders.context import CheckContext
from gateway.orders.notify import Released, notify_releases

log = structlog.get_logger("gateway.sync")
sync_state = SyncState.__table__  # type: ignore[attr-defined]
HOLDER = f"{socket.gethostname()[:40]}:{os.getpid()}"


@dataclass
class SyncReport:
    erp: str
    started_at: datetime
    skipped: bool = False
    customers: int = 0
    failures: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0

    @property
    def result(self) -> str:
        if self.skipped:
            return "skipped"
        return (
            "failure"
            if self.failures and not self.customers
            else ("partial" if self.failures else "success")
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "erp": self.erp,
            "started_at": self.started_at.isoformat(),
            "result": self.result,
            "customers": self.customers,
            "failures": self.failures[:50],
            "released": self.released,
            "duration_seconds": round(self.duration_seconds, 3),
        }


class SyncRunner:
    def __init__(
        self,
        source: ErpSource,
        uow: UnitOfWork,
        context: Any,
        interval: float,
        owner: Owner = "erp",
    ) -> None:
        self.source = source
        self.owner = owner  # who keeps the credit fields ([master_data] owner)
        self.uow = uow
        self.context = context  # () -> CheckContext, so each run sees "now"
        self.interval = interval
        self._lock = asyncio.Lock()
        # Series exist from the start (at 0), so dashboards and alerts see them.
        erp = source.erp
        metrics.SYNC_RETRIES.labels(erp=erp)
        metrics.ERP_CALLBACK_FAILURES.labels(erp=erp)
        for result in ("success", "partial", "failure"):
            metrics.SYNC_RUNS.labels(erp=erp, result=result)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:
                log.error("sync_crashed", erp=self.source.erp, error=repr(exc)[:300])
            await asyncio.sleep(self.interval)

    async def run_once(self, force: bool = False) -> SyncReport:
        ctx: CheckContext = self.context()
        report = SyncReport(self.source.erp, ctx.now)
        async with self._lock:
            lease = timedelta(seconds=max(30.0, self.interval * 2))
            claimed = await anyio.to_thread.run_sync(
                claim_lease, self.uow, self.source.erp, ctx.now, lease, force
            )
            if not claimed:
                report.skipped = True
                return report
            started = time.perf_counter()
            try:
                await self._pull(ctx, report)
            finally:
                report.duration_seconds = time.perf_counter() - started
                await anyio.to_thread.run_sync(finish_run, self.uow, report, ctx.now)
                self._observe(report)
        return report

    async def _pull(self, ctx: CheckContext, report: SyncReport) -> None:
        erp = self.source.erp
        try:
            master = await self.source.fetch_master_data()
        except ErpError as exc:
            report.failures.append(f"master data: {exc}")
            log.warning("sync_failed", erp=erp, stage="master_data", error=str(exc)[:300])
            return
        released: list[Released] = []
        for customer_id, body in master:
            # The gateway's clock, read before each pull: it dates the snapshot (at
            # least as new as that) and judges it, however long the run takes.
            now_ctx = self.context()
            try:
                items = await self.source.fetch_open_items(customer_id, now_ctx.now)
                sales = await self.source.fetch_sales(customer_id)
                released += await anyio.to_thread.run_sync(
                    partial(apply_snapshot, owner=self.owner),
                    self.uow,
                    now_ctx,
                    customer_id,
                    body,
                    items,
                    sales,
                )
                report.customers += 1
            except (ErpError, SnapshotRejected, GatewayError) as exc:
                report.failures.append(f"{customer_id}: {exc}")
                log.warning(
                    "sync_customer_failed", erp=erp, customer_id=customer_id, error=str(exc)[:300]
                )
        report.released = [f"{r.erp}/{r.order_id}" for r in released]
        await notify_releases(released, {erp: self.source})

    def _observe(self, report: SyncReport) -> None:
        erp = report.erp
        if report.skipped:
            return
        metrics.SYNC_RUNS.labels(erp=erp, result=report.result).inc()
        metrics.SYNC_DURATION.labels(erp=erp).observe(report.duration_seconds)
        if report.result in ("success", "partial"):
            metrics.SYNC_LAST_SUCCESS.labels(erp=erp).set(time.time())
        log.info(
            "sync_run",
            **report.as_json()
            | {"failures": len(report.failures), "released": len(report.released)},
        )


def claim_lease(uow: UnitOfWork, erp: str, now: datetime, lease: timedelta, force: bool) -> bool:
    """Take the ERP's sync lease if it is free, expired, or already ours."""
    with uow.write() as conn:
        stmt = select(sync_state).where(sync_state.c.erp == erp)
        if conn.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE already serializes
            stmt = stmt.with_for_update()
        row = conn.execute(stmt).first()
        if row is None:
            conn.execute(
                insert(sync_state).values(
                    erp=erp, lease_holder=HOLDER, lease_expires_at=now + lease, customers_synced=0
                )
            )
            return True
        taken = (
            row.lease_holder not in (None, HOLDER)
            and row.lease_expires_at is not None
            and row.lease_expires_at > now
        )
        if taken and not force:
            return False
        conn.execute(
            update(sync_state)
            .where(sync_state.c.erp == erp)
            .values(lease_holder=HOLDER, lease_expires_at=now + lease)
        )
        return True


def finish_run(uow: UnitOfWork, report: SyncReport, now: datetime) -> None:
    values: dict[str, Any] = {
        "lease_holder": None,
        "lease_expires_at": None,
        "last_run_at": now,
        "customers_synced": report.customers,
        "last_error": "; ".join(report.failures)[:500] or None,
    }
    if report.result in ("success", "partial"):
        values["last_success_at"] = now
    with uow.write() as conn:
        conn.execute(update(sync_state).where(sync_state.c.erp == report.erp).values(**values))


def sync_status(uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow.read() as conn:
        rows = conn.execute(select(sync_state).order_by(sync_state.c.erp)).all()
    return [
        {
            "erp": r.erp,
            "last_run_at": r.last_run_at.isoformat() if r.last_run_at else None,
            "last_success_at": r.last_success_at.isoformat() if r.last_success_at else None,
            "last_error": r.last_error,
            "customers_synced": r.customers_synced,
        }
        for r in rows
    ]
