"""The pure side of policy simulation: replay, directions, aftermath, the report."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from policies import (
    Account,
    Balance,
    Check,
    FxRates,
    Grade,
    GradePolicy,
    Outcome,
    Override,
    OverrideRejected,
    Policy,
)
from policies.simulation import Recorded, Sighting, aftermath, late_bucket, replay
from policies.simulation_report import Report

NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)
POLICY = Policy(grades={g: GradePolicy() for g in Grade})
NO_LIMIT = replace(POLICY, checks=POLICY.checks - {Check.CREDIT_LIMIT})
FX = FxRates(base="EUR", rates={"USD": Decimal("1.25")})


def recorded(amount: str, limit: str = "1000", verdict: Any = None, **kw: Any) -> Recorded:
    account = Account("C1", Decimal(limit), kw.pop("currency", "EUR"), Grade.B, 30)
    inputs = {
        "order_amount": Decimal(amount),
        "currency": account.currency,
        "account": account,
        "balance": Balance((), Decimal(0), NOW),
        "now": NOW,
        "today": NOW.date(),
    }
    decision = replay(Recorded("d", "sap", "O", 1, "C1", NOW, Outcome.RELEASE, (), inputs), POLICY)
    outcome = kw.pop("outcome", decision.replayed.outcome)
    reasons = kw.pop("reasons", decision.after[1])
    return Recorded("d1", "sap", "O1", 1, "C1", NOW, outcome, reasons, inputs, verdict)


@pytest.mark.parametrize(
    ("rec", "policy", "direction"),
    [
        (recorded("500"), POLICY, "unchanged"),
        (recorded("1500"), POLICY, "unchanged"),
        (recorded("1500"), NO_LIMIT, "hold_to_release"),
        (
            recorded("500", limit="400", outcome=Outcome.RELEASE, reasons=()),
            POLICY,
            "release_to_hold",
        ),
        (recorded("1500", reasons=("OVERDUE",)), POLICY, "reasons_changed"),
        (
            recorded("1500", verdict=Override("R1", ("fm",)), outcome=Outcome.RELEASE),
            POLICY,
            "overridden",
        ),
        (
            recorded(
                "1500",
                verdict=OverrideRejected("expired"),
                reasons=("CREDIT_LIMIT_EXCEEDED", "OVERRIDE_REJECTED"),
            ),
            POLICY,
            "unchanged",
        ),
    ],
)
def test_directions(rec: Recorded, policy: Policy, direction: str) -> None:
    assert replay(rec, policy).direction == direction


D = date(2026, 11, 30)


def at(day: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sightings", "cancelled", "kind", "days"),
    [
        ([], False, "not_invoiced", 0),
        ([], True, "cancelled", 0),
        ([Sighting(date(2026, 12, 10), at(1), None)], False, "open_not_due", 0),
        ([Sighting(date(2026, 12, 1), at(1), None)], False, "overdue_open", 0),
        ([Sighting(D, at(23, 11), at(29, 11))], False, "paid_on_time", 0),
        ([Sighting(D, at(23, 11), at(30, 11))], False, "paid_on_time", 0),
        ([Sighting(D, at(23, 11), at(10))], False, "paid_late", 10),
        ([Sighting(D, at(23, 11), at(2)), Sighting(D, at(23, 11), None)], False, "overdue_open", 0),
        ([Sighting(D, at(23, 11), at(2)), Sighting(D, at(23, 11), at(5))], True, "paid_late", 5),
    ],
)
def test_aftermath(sightings: list[Sighting], cancelled: bool, kind: str, days: int) -> None:
    got = aftermath(sightings, cancelled, date(2026, 12, 5))
    assert (got.kind, got.days_late) == (kind, days)


@pytest.mark.parametrize(
    ("days", "bucket"), [(1, "1-30"), (30, "1-30"), (31, "31-60"), (90, "61-90"), (91, "over_90")]
)
def test_late_buckets(days: int, bucket: str) -> None:
    assert late_bucket(days) == bucket


def test_report_counts_and_converts_to_the_base() -> None:
    report = Report(fx=FX)
    for rec in (recorded("1500"), recorded("2500", currency="USD"), recorded("100")):
        report.add(replay(rec, NO_LIMIT))
    out = report.as_json()
    assert (out["replayed"], out["unchanged"], out["hold_to_release"]) == (3, 1, 2)
    assert out["amount_to_release"] == "3500.00"  # 1500 EUR + 2500 USD at 1.25
    assert out["by_reason"] == {"CREDIT_LIMIT_EXCEEDED": 2}
    assert out["by_reason_direction"] == {"CREDIT_LIMIT_EXCEEDED": {"appears": 0, "disappears": 2}}
    assert out["by_grade"] == {"B": {"replayed": 3, "release_to_hold": 0, "hold_to_release": 2}}
    assert out["top_customers"][0]["hold_to_release"] == 2
    assert len(out["samples"]) == 2


def test_report_keeps_few_samples() -> None:
    report = Report(fx=FX)
    for _ in range(100):
        report.add(replay(recorded("1500"), NO_LIMIT))
    assert report.as_json()["hold_to_release"] == 100
    assert len(report.samples) == 20
