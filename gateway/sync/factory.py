"""Builds one ErpSource per enabled `[adapters.*]` section of the config."""

from __future__ import annotations

import structlog

from adapters.http import ErpHttp
from adapters.sources import BaanSource, ErpSource, SapSource
from gateway import metrics
from gateway.config import LoadedConfig

log = structlog.get_logger("gateway.sync")


def record_retry(erp: str, attempt: int, exc: BaseException) -> None:
    metrics.SYNC_RETRIES.labels(erp=erp).inc()
    log.warning("erp_call_retry", erp=erp, attempt=attempt, error=str(exc)[:200])


def sources_from_config(config: LoadedConfig) -> dict[str, ErpSource]:
    sources: dict[str, ErpSource] = {}
    for name, section in config.raw.adapters.items():
        if not section.enabled:
            continue
        http = ErpHttp(
            name,
            section.base_url,
            timeout=section.timeout_seconds,
            max_attempts=section.max_attempts,
            budget_seconds=section.retry_budget_seconds,
            on_retry=record_retry,
        )
        source: SapSource | BaanSource = (
            SapSource(http) if section.kind == "sap" else BaanSource(http)
        )
        source.erp = name
        sources[name] = source
    return sources
