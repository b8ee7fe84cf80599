"""The config sections of credit applications, the scorecard and master data ownership."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from typing import Any

import pytest

from gateway.config import ConfigError, load_config, parse_config
from policies.credit_application import DEFAULT_SCORECARD
from tests.gateway.conftest import ROOT

SHIPPED = ROOT / "config" / "gateway.toml"


def shipped(**sections: Any) -> dict[str, Any]:
    with SHIPPED.open("rb") as fh:
        data = tomllib.load(fh, parse_float=Decimal)
    data.update(sections)
    return data


def test_the_shipped_config_has_the_seed_defaults() -> None:
    cfg = load_config(SHIPPED).raw
    assert cfg.master_data.owner == "erp"
    matrix = cfg.credit_approval.matrix()
    assert [r.value for r in matrix.new_roles] == [
        "finance_manager",
        "sales_manager",
        "general_manager",
    ]
    assert [r.value for r in matrix.update_roles] == ["finance_manager", "general_manager"]
    assert (matrix.escalate_terms_above_days, matrix.escalate_limit_from) == (100, 3000000)
    assert cfg.scorecard.scorecard() == DEFAULT_SCORECARD


def test_the_commented_scorecard_example_is_the_default() -> None:
    text = SHIPPED.read_text()
    block = text[text.index("# [scorecard]\n") :].split("\n\n")[0]
    uncommented = "\n".join(re.sub(r"^# ?", "", line) for line in block.splitlines())
    section = tomllib.loads(uncommented)["scorecard"]
    assert parse_config(shipped(scorecard=section)).raw.scorecard.scorecard() == DEFAULT_SCORECARD


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"scorecard": {"factors": {"a": 60, "b": 30}}}, "sum to 90"),
        ({"scorecard": {"grades": {"A": 50, "B": 70, "C": 40}}}, "cut-offs"),
        ({"credit_approval": {"new_roles": ["sales"]}}, "may not approve"),
        ({"credit_approval": {"ratify_roles": ["admin"]}}, "may not approve"),
        ({"credit_approval": {"escalation_currency": "XXX"}}, "unknown currency"),
        ({"credit_approval": {"expire_after_days": 0}}, "expire_after_days"),
        ({"master_data": {"owner": "sap"}}, "master_data.owner"),
    ],
)
def test_bad_sections_are_refused_naming_the_key(sections: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(shipped(**sections))
