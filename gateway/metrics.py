"""Every Prometheus metric of the gateway, defined in this one module.

Label values come from closed sets only (ERP names, outcomes, reason codes, route
templates): never a customer or order id, so cardinality stays bounded.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase


@cache
def child(metric: MetricWrapperBase, *labels: str) -> Any:
    """`metric.labels(*labels)`, looked up once: on the hot path `labels()` costs a
    lock and a validation per call. Label sets are closed, so the cache stays small."""
    return metric.labels(*labels)


# Buckets around the latency budget: sub-millisecond to 100 ms, then a tail.
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.002,
    0.003,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.025,
    0.05,
    0.1,
    0.25,
    1.0,
)

DECISIONS = Counter(
    "gateway_decisions_total",
    "Order checks answered, by ERP, outcome and reason (reason 'none' for a plain release; "
    "the reason codes of policies.reasons, TERMS_EXCEED_APPROVED among them).",
    ["erp", "outcome", "reason"],
)
DECISION_DURATION = Histogram(
    "gateway_decision_duration_seconds",
    "Time to answer an order check, from request parsed to decision committed.",
    ["erp"],
    buckets=LATENCY_BUCKETS,
)
COMMIT_BATCH = Histogram(
    "gateway_sqlite_commit_batch_size",
    "Checks that shared one SQLite transaction and commit (group commit).",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
SQLITE_COMMIT = Histogram(
    "gateway_sqlite_commit_seconds",
    "Time of each SQLite group commit, failed ones included: writing the batch's pages "
    "to the write-ahead log, its fsync (synchronous=FULL), now and then a checkpoint. "
    "Every check of the batch waits for it.",
    buckets=(0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
# Per process, summed over the live workers (several workers share one database).
DB_CONNECTIONS = Gauge(
    "gateway_db_connections",
    "Database connections of the pool: in_use by a request, or idle (open in the pool).",
    ["state"],
    multiprocess_mode="livesum",
)
DB_POOL_MAX = Gauge(
    "gateway_db_pool_max_connections",
    "The most connections the pool may open (GATEWAY_DB_POOL_SIZE).",
    multiprocess_mode="livesum",
)
DB_ERRORS = Counter(
    "gateway_db_errors_total",
    "Requests that failed because the database was unreachable or refused a statement.",
    ["operation"],
)
SYNC_RUNS = Counter(
    "gateway_sync_runs_total", "Balance sync runs per ERP, by result.", ["erp", "result"]
)
SYNC_RETRIES = Counter(
    "gateway_sync_retries_total", "Retried ERP calls (transient errors) per ERP.", ["erp"]
)
SYNC_DURATION = Histogram(
    "gateway_sync_duration_seconds",
    "Duration of a sync run per ERP.",
    ["erp"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
SYNC_LAST_SUCCESS = Gauge(
    "gateway_sync_last_success_timestamp_seconds",
    "Unix time of the last successful (or partial) sync per ERP.",
    ["erp"],
    multiprocess_mode="max",
)
ERP_CALLBACK_FAILURES = Counter(
    "gateway_erp_callback_failures_total", "Release notifications an ERP did not take.", ["erp"]
)
UNFREEZE_REQUESTS = Counter(
    "gateway_unfreeze_requests_total",
    "Unfreeze request transitions, by the status reached "
    "(created, approved, rejected, expired, voided).",
    ["status"],
)
UNFREEZE_DECISION_SECONDS = Histogram(
    "gateway_unfreeze_decision_seconds",
    "Time from an unfreeze request to its final approval or rejection.",
    buckets=(60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600),
)
OVERRIDE_TOKENS = Counter(
    "gateway_override_tokens_total",
    "Override token events (issued, redeemed, revoked).",
    ["event"],
)
OVERRIDE_REJECTIONS = Counter(
    "gateway_override_rejections_total",
    "Checks whose override token did not release the order, by cause.",
    ["cause"],
)
HTTP_REQUESTS = Counter(
    "gateway_http_requests_total",
    "HTTP requests by route template, method and status class (2xx, 4xx, 5xx).",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "gateway_http_request_duration_seconds",
    "HTTP request duration by route template and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
BALANCE_AGE = Histogram(
    "gateway_balance_age_seconds",
    "Age of the customer's balance snapshot at decision time.",
    ["erp"],
    buckets=(60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 48 * 3600, 7 * 86400),
)
BUILD_INFO = Gauge(
    "gateway_build_info",
    "The running version (value 1).",
    ["version"],
    multiprocess_mode="max",
)
CHECKS = Counter(
    "gateway_checks_total",
    "Fresh decisions (one per order check, replays excluded), by ERP and outcome.",
    ["erp", "outcome"],
)
REPLAYS = Counter(
    "gateway_check_replays_total", "Checks answered from the stored decision (retries).", ["erp"]
)
SHADOW_DECISIONS = Counter(
    "gateway_shadow_decisions_total",
    "Checks decided again under the [shadow] policy after the real decision, by the "
    "shadow's outcome (error: it could not decide) and whether it agrees with the real "
    "answer (same outcome and reason codes).",
    ["outcome", "agrees"],
)
