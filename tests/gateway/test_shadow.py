"""Shadow mode: [shadow] config decides every check again, never changing the answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from gateway.app import create_app
from gateway.auth import parse_api_keys
from gateway.config import ConfigError, load_config
from gateway.settings import Settings
from tests.gateway.conftest import API_KEYS, ROOT, SECRET, Api, FakeClock

CURRENT = (ROOT / "config" / "gateway.toml").read_text()


def counted(outcome: str, agrees: str) -> float:
    value = REGISTRY.get_sample_value(
        "gateway_shadow_decisions_total", {"outcome": outcome, "agrees": agrees}
    )
    return value or 0.0


@pytest.fixture
def shadowed(database_url: str, tmp_path: Path) -> Iterator[Api]:
    (tmp_path / "no-limit.toml").write_text(re.sub(r'"credit_limit",\s*', "", CURRENT))
    config = tmp_path / "gateway.toml"
    config.write_text(CURRENT + '\n[shadow]\nconfig = "no-limit.toml"\n')
    settings = Settings(
        database_url=database_url,
        config_path=config,
        api_keys=parse_api_keys(API_KEYS),
        token_secret=SECRET,
    )
    clock = FakeClock()
    with TestClient(create_app(settings, clock=clock)) as client:
        yield Api(client, clock)


def test_the_shadow_counts_and_never_changes_the_answer(shadowed: Api) -> None:
    api = shadowed
    api.customer("C100", credit_limit="10000.00")
    before = {k: counted(*k) for k in [("release", "true"), ("release", "false")]}
    r = api.check("O1", "4000.00").json()
    assert r["outcome"] == "release"
    held = api.check("O2", "9000.00").json()
    assert held["outcome"] == "hold"  # the shadow would release it: the answer stands
    assert [x["code"] for x in held["reasons"]] == ["CREDIT_LIMIT_EXCEEDED"]
    api.check("O2", "9000.00")  # a replay is not decided again
    assert counted("release", "true") - before[("release", "true")] == 1
    assert counted("release", "false") - before[("release", "false")] == 1
    exposure = api.get("/v1/customers/C100/exposure", who="admin").json()
    assert exposure["exposure"]["open_orders"] == "4000.00"  # the hold reserves nothing
    shadow = api.client.app.state.resources.shadow  # type: ignore[attr-defined]
    assert [d["decision_id"] for d in shadow.disagreements] == [held["decision_id"]]


def test_a_missing_or_invalid_shadow_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(CURRENT + '\n[shadow]\nconfig = "absent.toml"\n')
    with pytest.raises(ConfigError, match=r"shadow\.config"):
        load_config(config)
    (tmp_path / "bad.toml").write_text('[decision]\nchecks = ["nope"]\n')
    config.write_text(CURRENT + '\n[shadow]\nconfig = "bad.toml"\n')
    with pytest.raises(ConfigError, match=r"shadow\.config: .*checks"):
        load_config(config)
    config.write_text(CURRENT + "\n[shadow]\nother = 1\n")
    with pytest.raises(ConfigError, match="shadow"):
        load_config(config)
