"""The answers of the liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

from gateway.schemas import ResponseModel
from gateway.sync.schemas import SyncStateOut


class HealthOut(ResponseModel):
    status: Literal["ok"]


class ReadyChecksOut(ResponseModel):
    config: str
    database: str  # "ok", or "unreachable: <the error's type>"


class FreshnessOut(ResponseModel):
    stale_customers: float
    oldest_age_seconds: float


class ReadyOut(ResponseModel):
    status: Literal["ready"]
    checks: ReadyChecksOut
    syncs: list[SyncStateOut]
    balances: FreshnessOut
    configured_erps: list[str]


class NotReadyOut(ResponseModel):
    status: Literal["not ready"]
    checks: ReadyChecksOut
