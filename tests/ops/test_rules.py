"""Alert and recording rules, checked and unit-tested by Prometheus' own promtool."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing in CI: .ci/run installs Debian's prometheus")
        pytest.skip("promtool not installed (apt-get install prometheus)")
    return found


def test_rules_are_valid() -> None:
    r = subprocess.run(
        [promtool(), "check", "rules", "config/prometheus/rules.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_alert_fires_and_stays_quiet_as_designed() -> None:
    r = subprocess.run(
        [promtool(), "test", "rules", "tests/ops/rules_test.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_alert_has_a_unit_test_and_a_runbook() -> None:
    import yaml

    rules = yaml.safe_load((ROOT / "config/prometheus/rules.yml").read_text())
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    tests_text = (ROOT / "tests/ops/rules_test.yml").read_text()
    runbook = (ROOT / "docs/operations.md").read_text().lower()
    for alert in alerts:
        name = alert["alert"]
        assert f"alertname: {name}" in tests_text, f"{name} has no promtool test"
        anchor = alert["annotations"]["runbook_url"].split("#")[1]
        assert f"### {name.lower()}" in runbook, f"{name} has no runbook section"
        assert anchor == name.lower()
