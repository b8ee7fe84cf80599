"""The fuzz hooks make schema-valid bodies valid for the rules no schema states, and
leave schema-violating ones violating (tests/fuzz/hooks.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.fuzz.hooks import LARGEST_AMOUNT, repayment_plan

TODAY = date(2026, 11, 22)


def request(**fields: Any) -> dict[str, Any]:
    return {"decision_id": "d", "condition": "repayment_plan", "justification": "j", **fields}


def test_a_generated_plan_gets_whole_amounts_and_increasing_dates_from_today() -> None:
    plan = [
        {"due_date": "2030-01-01", "amount": "0.005"},
        {"due_date": "2001-01-01", "amount": 12.5},
        {"due_date": "2001-01-01", "amount": "7.250"},
    ]
    made = repayment_plan(request(repayment_plan=plan), TODAY)["repayment_plan"]
    assert made == [
        {"due_date": "2026-11-23", "amount": "1"},
        {"due_date": "2026-11-24", "amount": 12},
        {"due_date": "2026-11-25", "amount": str(LARGEST_AMOUNT)},
    ]


@pytest.mark.parametrize("plan", [None, []])
def test_condition_repayment_plan_without_a_plan_gets_one(plan: Any) -> None:
    made = repayment_plan(request(repayment_plan=plan), TODAY)["repayment_plan"]
    assert made == [{"due_date": "2026-11-23", "amount": str(LARGEST_AMOUNT)}]


@pytest.mark.parametrize(
    "body",
    [
        request(condition="other"),
        request(condition="other", repayment_plan=None),
        request(repayment_plan="soon"),
        request(repayment_plan=[{"due_date": "2026-02-30", "amount": "1"}]),
        request(repayment_plan=[{"due_date": "2027-01-01", "amount": "1e3"}]),
        request(repayment_plan=[{"due_date": "2027-01-01", "amount": "-5"}]),
        request(repayment_plan=[{"due_date": "2027-01-01", "amount": True}]),
        request(repayment_plan=[{"due_date": "2027-01-01"}]),
        ["not", "an", "object"],
    ],
)
def test_what_the_schema_refuses_or_needs_no_plan_is_left_alone(body: Any) -> None:
    assert repayment_plan(body, TODAY) == body
