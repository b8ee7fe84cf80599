"""Every Prometheus metric of the gateway, defined in this one module.

Label values come from closed sets only (ERP names, outcomes, reason codes, route
templates): never a customer or order id, so cardinality stays bounded.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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
    "Order checks answered, by ERP, outcome and reason (reason 'none' for a plain release).",
    ["erp", "outcome", "reason"],
)
DECISION_DURATION = Histogram(
    "gateway_decision_duration_seconds",
    "Time to answer an order check, from request parsed to response built.",
    ["erp"],
    buckets=LATENCY_BUCKETS,
)
DB_ERRORS = Counter(
    "gateway_db_errors_total",
    "Requests that failed because the database was unreachable or refused a statement.",
    ["operation"],
)
