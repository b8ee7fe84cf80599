"""What a redeemed override token does to a decision, with plain values: a table, then
properties over generated decisions (hypothesis). No mocks: the verdict is a value."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import (
    Account,
    Balance,
    Decision,
    Outcome,
    Override,
    OverrideRejected,
    OverrideVerdict,
    Policy,
    Reason,
    ReasonCode,
    apply_override,
    wants_override,
)
from tests.unit.test_evaluate import ACCOUNT, decide
from tests.unit.test_properties import accounts, balances, money, policies, run

RELEASE = decide("1000.00")
OVER_LIMIT = decide("10000.01")
BLOCKED_OVER_LIMIT = decide("10000.01", replace(ACCOUNT, blocked=True))
UNKNOWN_CUSTOMER = decide("10.00", account=None)
OVERRIDE = Override("R1", ("ann", "bob"))
REJECTED = OverrideRejected("the token was revoked (revoked)")
OFF = OverrideRejected("override tokens are not enabled on this gateway")


def codes(decision: Decision) -> list[str]:
    return [str(r.code) for r in decision.reasons]


CASES = [
    # (name, decision, verdict, outcome, reason codes, override)
    ("no token leaves a hold", OVER_LIMIT, None, "hold", ["CREDIT_LIMIT_EXCEEDED"], None),
    ("no token leaves a release", RELEASE, None, "release", [], None),
    (
        "a valid override releases a hold and keeps its reasons",
        OVER_LIMIT,
        OVERRIDE,
        "release",
        ["CREDIT_LIMIT_EXCEEDED"],
        OVERRIDE,
    ),
    (
        "a valid override releases a hold of several reasons",
        BLOCKED_OVER_LIMIT,
        OVERRIDE,
        "release",
        ["CUSTOMER_BLOCKED", "CREDIT_LIMIT_EXCEEDED"],
        OVERRIDE,
    ),
    (
        "a valid override releases an unknown customer",
        UNKNOWN_CUSTOMER,
        OVERRIDE,
        "release",
        ["NO_CREDIT"],
        OVERRIDE,
    ),
    (
        "a rejected token stands beside the reasons it failed to override",
        OVER_LIMIT,
        REJECTED,
        "hold",
        ["CREDIT_LIMIT_EXCEEDED", "OVERRIDE_REJECTED"],
        None,
    ),
    (
        "a rejected token after several reasons comes last",
        BLOCKED_OVER_LIMIT,
        OFF,
        "hold",
        ["CUSTOMER_BLOCKED", "CREDIT_LIMIT_EXCEEDED", "OVERRIDE_REJECTED"],
        None,
    ),
    ("a release is never overridden", RELEASE, OVERRIDE, "release", [], None),
    ("a release never shows a rejected token", RELEASE, REJECTED, "release", [], None),
]


@pytest.mark.parametrize(
    ("name", "decision", "verdict", "outcome", "expected", "override"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_override_table(
    name: str,
    decision: Decision,
    verdict: OverrideVerdict,
    outcome: str,
    expected: list[str],
    override: Override | None,
) -> None:
    after = apply_override(decision, verdict)
    assert (after.outcome.value, codes(after), after.override) == (outcome, expected, override)
    assert (after.warnings, after.exposure) == (decision.warnings, decision.exposure)


@pytest.mark.parametrize(
    ("verdict", "message"),
    [
        (REJECTED, "override token rejected: the token was revoked (revoked)"),
        (OFF, "override token rejected: override tokens are not enabled on this gateway"),
    ],
)
def test_the_rejection_carries_its_cause(verdict: OverrideRejected, message: str) -> None:
    after = apply_override(OVER_LIMIT, verdict)
    assert after.reasons[-1] == Reason(ReasonCode.OVERRIDE_REJECTED, message)
    assert after.reasons[:-1] == OVER_LIMIT.reasons


@pytest.mark.parametrize(
    ("decision", "wanted"),
    [(OVER_LIMIT, True), (UNKNOWN_CUSTOMER, True), (RELEASE, False)],
)
def test_only_a_hold_wants_a_token_redeemed(decision: Decision, wanted: bool) -> None:
    assert wants_override(decision) is wanted


verdicts = (
    st.none()
    | st.builds(Override, st.text(min_size=1), st.lists(st.text(min_size=1), max_size=3).map(tuple))
    | st.builds(OverrideRejected, st.text())
)


@given(money, accounts, balances, policies, verdicts)
def test_an_override_never_adds_a_reason_but_override_rejected(
    amount: Decimal, account: Account, balance: Balance, policy: Policy, verdict: OverrideVerdict
) -> None:
    before = run(amount, account, balance, policy)
    after = apply_override(before, verdict)
    assert after.reasons[: len(before.reasons)] == before.reasons
    assert {r.code for r in after.reasons[len(before.reasons) :]} <= {ReasonCode.OVERRIDE_REJECTED}
    assert after.warnings == before.warnings


@given(money, accounts, balances, policies, verdicts)
def test_a_valid_override_releases_and_keeps_the_figures(
    amount: Decimal, account: Account, balance: Balance, policy: Policy, verdict: OverrideVerdict
) -> None:
    before = run(amount, account, balance, policy)
    after = apply_override(before, verdict)
    assert after.exposure == before.exposure
    if isinstance(verdict, Override) and before.outcome is Outcome.HOLD:
        assert after == replace(before, outcome=Outcome.RELEASE, override=verdict)
    else:
        assert after.override is None


@given(money, accounts, balances, policies, verdicts)
def test_only_a_valid_override_turns_a_hold_into_a_release(
    amount: Decimal, account: Account, balance: Balance, policy: Policy, verdict: OverrideVerdict
) -> None:
    before = run(amount, account, balance, policy)
    after = apply_override(before, verdict)
    if before.outcome is Outcome.RELEASE:
        assert after == before
    elif not isinstance(verdict, Override):
        assert after.outcome is Outcome.HOLD
