"""The answers of sync on demand and of the sync status."""

from __future__ import annotations

from typing import Literal

from gateway.schemas import MomentText, ResponseModel


class SyncStateOut(ResponseModel):
    """An ERP's last sync run (`gateway.sync.runner.sync_status`)."""

    erp: str
    last_run_at: MomentText | None
    last_success_at: MomentText | None
    last_error: str | None
    customers_synced: int


class SyncStatusOut(ResponseModel):
    erps: list[SyncStateOut]
    configured: list[str]  # the ERPs with an enabled adapter


class SyncReportOut(ResponseModel):
    """One run (`SyncReport.as_json`)."""

    erp: str
    started_at: MomentText
    result: Literal["success", "partial", "failure"]
    customers: int
    failures: list[str]  # the first 50
    released: list[str]  # "erp/order_id"
    duration_seconds: float
