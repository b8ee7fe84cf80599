"""The Grafana dashboard and the rules only use metrics the gateway really exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import gateway.metrics  # noqa: F401  (registers the metrics)

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "config/grafana/dashboards/order-hold-gateway.json"
DB_GAUGES = {
    "gateway_unfreeze_pending",
    "gateway_unfreeze_oldest_pending_age_seconds",
    "gateway_balances_stale",
    "gateway_balance_oldest_age_seconds",
}
NAME = re.compile(r"\b(gateway_[a-z_]+)\b")


def exported() -> set[str]:
    names = set(DB_GAUGES)
    for family in REGISTRY.collect():
        for sample in family.samples:
            names.add(sample.name)
        names.add(family.name)
        names.update({family.name + s for s in ("_total", "_bucket", "_count", "_sum")})
    return names


def dashboard_exprs() -> list[str]:
    dash = json.loads(DASHBOARD.read_text())
    exprs = []
    for panel in dash["panels"]:
        assert panel["targets"], f"panel {panel['title']} has no query"
        for target in panel["targets"]:
            assert target["expr"].strip(), f"panel {panel['title']} has an empty query"
            exprs.append(target["expr"])
    return exprs


def rule_exprs() -> list[str]:
    rules = yaml.safe_load((ROOT / "config/prometheus/rules.yml").read_text())
    return [r["expr"] for g in rules["groups"] for r in g["rules"]]


def test_every_referenced_metric_exists() -> None:
    known = exported()
    for expr in dashboard_exprs() + rule_exprs():
        for name in NAME.findall(expr):
            assert name in known, f"{name} (in {expr!r}) is not exported by the gateway"


def test_dashboard_covers_what_ops_watch() -> None:
    text = " ".join(dashboard_exprs())
    for must in (
        "gateway_decision_duration_seconds_bucket",
        "gateway_checks_total",
        "gateway_decisions_total",
        "gateway_balance_age_seconds_bucket",
        "gateway_sync_runs_total",
        "gateway_unfreeze_pending",
        "gateway_override_tokens_total",
        "gateway_http_requests_total",
        "gateway_sqlite_commit_seconds_bucket",
        "gateway_shadow_decisions_total",
    ):
        assert must in text
