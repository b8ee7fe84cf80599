"""Credit control around a release (policies.release): tables over plain values and
properties (hypothesis) for the arithmetic."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import Outcome
from policies.release import (
    Installment,
    OverrideRelease,
    PlanAction,
    Validity,
    Watches,
    apply_controls,
    apply_validity,
    due_so_far,
    paid_overdue_met,
    paid_overdue_tolerance,
    plan_behind,
)
from tests.unit.test_evaluate import ACCOUNT, NOW, balance, decide, item

money = st.decimals(min_value=D("0.00"), max_value=D("10000000"), places=2)


@pytest.mark.parametrize(
    ("configured", "at_filing", "cap", "tolerance"),
    [
        (None, D("5000.00"), D("127.39"), D("50.00")),  # 1% is the lower
        (None, D("50000.00"), D("127.39"), D("127.39")),  # CNY 1,000 is the lower
        (None, D("5000.00"), None, D("50.00")),  # no CNY rate: 1% alone
        (D("200"), D("5000.00"), D("127.39"), D("200")),  # configured wins
        (None, D("0"), D("127.39"), D("0")),
    ],
)
def test_tolerance(configured: D | None, at_filing: D, cap: D | None, tolerance: D) -> None:
    assert paid_overdue_tolerance(configured, at_filing, cap) == tolerance


@given(money, money)
def test_the_default_tolerance_is_never_above_either_bound(at_filing: D, cap: D) -> None:
    t = paid_overdue_tolerance(None, at_filing, cap)
    assert t <= cap and t <= at_filing / 100
    assert paid_overdue_met(t, t) and not paid_overdue_met(t + D("0.01"), t)


PLAN = (Installment(date(2026, 11, 25), D("2000")), Installment(date(2026, 12, 25), D("3000")))


@pytest.mark.parametrize(
    ("today", "open_now", "behind"),
    [
        (date(2026, 11, 25), D("9000"), False),  # on the day: not yet past due
        (date(2026, 11, 26), D("9000"), True),  # past due, nothing paid
        (date(2026, 11, 26), D("7000.01"), True),  # not quite fallen by 2000
        (date(2026, 11, 26), D("7000"), False),
        (date(2026, 12, 26), D("7000"), True),  # the second is due: 5000 so far
        (date(2026, 12, 26), D("4000"), False),
    ],
)
def test_plan_behind(today: date, open_now: D, behind: bool) -> None:
    assert plan_behind(PLAN, D("9000"), open_now, today) is behind


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)), money)
def test_a_plan_paid_as_due_is_never_behind(today: date, extra: D) -> None:
    due = due_so_far(PLAN, today)
    assert not plan_behind(PLAN, D("9000"), D("9000") - due - extra, today)


HOLD = decide("12000.00")
RELEASE = OverrideRelease("R1", ("ann", "bob"), NOW, D("12000.00"), D("0"))
VALIDITY = Validity(30, D(0))


@pytest.mark.parametrize(
    ("decision", "release", "validity", "amount", "when", "outcome"),
    [
        (HOLD, RELEASE, VALIDITY, D("11000"), NOW + timedelta(days=1), "release"),
        (HOLD, RELEASE, VALIDITY, D("12000"), NOW + timedelta(days=30), "release"),
        (HOLD, RELEASE, VALIDITY, D("12000.01"), NOW, "hold"),
        (HOLD, RELEASE, Validity(30, D(5)), D("12600"), NOW, "release"),
        (HOLD, RELEASE, VALIDITY, D("11000"), NOW + timedelta(days=30, seconds=1), "hold"),
        (HOLD, RELEASE, Validity(0, D(0)), D("11000"), NOW, "hold"),
        (HOLD, None, VALIDITY, D("11000"), NOW, "hold"),
        (
            decide("12000.00", replace(ACCOUNT, blocked=True)),
            RELEASE,
            VALIDITY,
            D("11000"),
            NOW,
            "hold",
        ),
        (
            decide("12000.00", bal=balance(item("500.00", date(2026, 9, 1)))),
            RELEASE,
            VALIDITY,
            D("11000"),
            NOW,
            "hold",
        ),
        (
            decide("12000.00", bal=balance(item("500.00", date(2026, 9, 1)))),
            replace(RELEASE, overdue_figure=D("500.00")),
            VALIDITY,
            D("11000"),
            NOW,
            "release",
        ),
    ],
)
def test_validity(
    decision,
    release,
    validity,
    amount,
    when,
    outcome,  # type: ignore[no-untyped-def]
) -> None:
    after = apply_validity(decision, release, validity, amount, when)
    assert after.outcome.value == outcome
    if outcome == "release":
        assert after.override is not None
        assert after.override.valid_until == NOW + timedelta(days=validity.days)
        assert after.override.max_amount == RELEASE.amount * (1 + validity.deviation_percent / 100)
        assert after.reasons == decision.reasons


@given(
    amount=st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
    deviation=st.decimals(min_value=D(0), max_value=D(50), places=1),
    days=st.integers(0, 90),
    after_days=st.integers(0, 120),
)
def test_validity_releases_only_within_both_bounds(
    amount: D, deviation: D, days: int, after_days: int
) -> None:
    when = NOW + timedelta(days=after_days)
    after = apply_validity(HOLD, RELEASE, Validity(days, deviation), amount, when)
    within = days > 0 and after_days <= days and amount <= D("12000") * (1 + deviation / 100)
    assert (after.outcome is Outcome.RELEASE) is within


def test_controls() -> None:
    release = decide("100.00")
    assert apply_controls(release, Watches()) is release
    unconfirmed = apply_controls(release, Watches(payment_unconfirmed=("REF",)))
    assert unconfirmed.outcome is Outcome.HOLD
    assert [r.code for r in unconfirmed.reasons] == ["PAYMENT_NOT_CONFIRMED"]
    warn = apply_controls(release, Watches(plans_behind=("R1",)))
    assert (warn.outcome, [w.code for w in warn.warnings]) == (
        Outcome.RELEASE,
        ["REPAYMENT_PLAN_BEHIND"],
    )
    hold = apply_controls(HOLD, Watches(plans_behind=("R1",), plan_action=PlanAction.HOLD))
    assert [r.code for r in hold.reasons] == ["CREDIT_LIMIT_EXCEEDED", "REPAYMENT_PLAN_BROKEN"]
