"""What would release a held order (policies.remedies): a table over plain values, then
properties (hypothesis): every listed remedy, applied to the inputs, releases on
re-evaluation; a release lists none; an incurable hold lists none."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import Account, Balance, Decision, GradePolicy, ItemKind, OpenItem, Policy
from policies.model import Outcome, Override
from policies.reasons import ReasonCode
from policies.remedies import remedies_for
from tests.unit.test_evaluate import ACCOUNT, NOW, POLICY, TODAY, balance, decide, item
from tests.unit.test_properties import accounts, balances, money, policies, run

LONG_AGO = date(2026, 9, 1)  # overdue for every grade's tolerance
LATER = date(2026, 12, 31)


def remedies(decision: Decision, bal: Balance | None, account: Account = ACCOUNT) -> list[tuple]:  # type: ignore[type-arg]
    grade = POLICY.grades[account.grade]
    items = bal.items if bal else ()
    return [(r.kind, str(r.amount), r.items) for r in remedies_for(decision, items, grade, TODAY)]


CASES = [
    # (name, amount, account, balance, remedies)
    ("a release lists none", "1000.00", ACCOUNT, balance(), []),
    (
        "the limit alone: a smaller order or a deposit of the over-limit part",
        "12000.00",
        ACCOUNT,
        balance(item("3000.00", LATER), open_orders="1000.00"),
        [("reduce_order", "6000.00", ()), ("prepay", "6000.00", ())],
    ),
    (
        "no room at all: no smaller order, still a deposit",
        "500.00",
        ACCOUNT,
        balance(item("10000.00", LATER), open_orders="100.00"),
        [("prepay", "600.00", ())],
    ),
    (
        "overdue alone: pay the overdue items, oldest first",
        "100.00",
        ACCOUNT,
        balance(
            item("300.00", date(2026, 10, 1), "I2"),
            item("200.00", date(2026, 9, 1), "I1"),
            item("50.00", LATER, "I3"),
        ),
        # 500 overdue, B tolerates 100: paying I1 (200, the oldest) leaves 300; then I2.
        [("pay_overdue", "500.00", ("I1", "I2"))],
    ),
    (
        "overdue within the de-minimis after paying the oldest",
        "100.00",
        ACCOUNT,
        balance(item("90.00", date(2026, 10, 1), "I2"), item("200.00", LONG_AGO, "I1")),
        [("pay_overdue", "200.00", ("I1",))],
    ),
    (
        "overdue and the limit: the overdue, then others oldest first",
        "4000.00",
        ACCOUNT,
        balance(
            item("2000.00", LONG_AGO, "I1"),
            item("4000.00", date(2026, 12, 20), "I3"),
            item("3000.00", date(2026, 12, 10), "I2"),
        ),
        [("pay_overdue", "5000.00", ("I1", "I2"))],
    ),
    (
        "order value alone: the grade's maximum",
        "60000.00",
        replace(ACCOUNT, credit_limit=D("100000.00")),
        balance(),
        [("reduce_order", "50000.00", ())],
    ),
    (
        "order value and the limit: the lower of both",
        "60000.00",
        replace(ACCOUNT, credit_limit=D("40000.00")),
        balance(item("1000.00", LATER)),
        [("reduce_order", "39000.00", ())],
    ),
    ("a block: none", "100.00", replace(ACCOUNT, blocked=True), balance(), []),
    ("grade D: none", "100.00", replace(ACCOUNT, grade="D"), balance(), []),
    ("no limit: none", "100.00", replace(ACCOUNT, credit_limit=D(0)), balance(), []),
    (
        "a passed review beside the limit: none",
        "12000.00",
        replace(ACCOUNT, review_date=date(2026, 11, 1)),
        balance(),
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "amount", "account", "bal", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_remedies_table(
    name: str,
    amount: str,
    account: Account,
    bal: Balance,
    expected: list[tuple],  # type: ignore[type-arg]
) -> None:
    account = replace(account, grade=type(ACCOUNT.grade)(account.grade))
    decision = decide(amount, account, bal)
    assert remedies(decision, bal, account) == expected


def test_a_rejected_token_beside_the_reasons_does_not_hide_the_remedies() -> None:
    bal = balance()
    decision = decide("12000.00", ACCOUNT, bal)
    rejected = replace(
        decision,
        reasons=(
            *decision.reasons,
            replace(decision.reasons[0], code=ReasonCode.OVERRIDE_REJECTED),
        ),
    )
    assert remedies(rejected, bal) == remedies(decision, bal)


def test_an_overridden_hold_lists_none() -> None:
    decision = decide("12000.00", ACCOUNT, balance())
    released = replace(decision, outcome=Outcome.RELEASE, override=Override("R1", ("a",)))
    assert remedies(released, balance()) == []


def _applied(
    kind: str, amount: D, ids: tuple[str, ...], order: D, bal: Balance
) -> tuple[D, Balance]:
    """The inputs with the remedy applied: a smaller order, items paid, or a deposit
    (a prepayment: an item of minus its amount, due far ahead)."""
    if kind == "reduce_order":
        return amount, bal
    if kind == "pay_overdue":
        left = tuple(i for i in bal.items if i.item_id not in ids)
        return order, replace(bal, items=left)
    deposit = OpenItem("deposit", ItemKind.INVOICE, -amount, date(2099, 1, 1))
    return order, replace(bal, items=(*bal.items, deposit))


@settings(max_examples=300, deadline=None)
@given(
    amount=money,
    account=accounts,
    bal=balances,
    policy=policies,
)
def test_every_listed_remedy_releases_on_its_own(
    amount: D, account: Account, bal: Balance, policy: Policy
) -> None:
    decision = run(amount, account, bal, policy)
    grade = policy.grades.get(account.grade, GradePolicy())
    found = remedies_for(decision, bal.items, grade, TODAY)
    if decision.outcome is Outcome.RELEASE:
        assert found == ()
        return
    for remedy in found:
        assert remedy.amount > 0
        order, after = _applied(remedy.kind, remedy.amount, remedy.items, amount, bal)
        again = run(order, account, after, policy)
        assert again.outcome is Outcome.RELEASE, (remedy, again.reasons)
        if remedy.kind == "reduce_order":
            assert order < amount
            # The largest: one minor unit more does not pass.
            assert run(order + D("0.01"), account, after, policy).outcome is Outcome.HOLD


@settings(max_examples=200, deadline=None)
@given(amount=money, account=accounts, bal=balances, policy=policies)
def test_incurable_holds_list_none(
    amount: D, account: Account, bal: Balance, policy: Policy
) -> None:
    decision = run(amount, account, bal, policy)
    grade = policy.grades.get(account.grade, GradePolicy())
    incurable = {
        ReasonCode.CUSTOMER_BLOCKED,
        ReasonCode.NO_CREDIT,
        ReasonCode.REVIEW_DATE_PASSED,
        ReasonCode.BALANCE_STALE,
    }
    if any(r.code in incurable for r in decision.reasons):
        assert remedies_for(decision, bal.items, grade, TODAY) == ()


@given(st.sampled_from(["reduce_order", "prepay"]))
def test_pay_overdue_items_are_known_ids(kind: str) -> None:
    bal = balance(item("5000.00", LONG_AGO, "A"), item("100.00", LATER, "B"))
    decision = decide("100.00", ACCOUNT, bal)
    for r in remedies_for(decision, bal.items, POLICY.grades[ACCOUNT.grade], TODAY):
        assert set(r.items) <= {"A", "B"}
        assert kind != r.kind or r.items == ()
    assert NOW  # the fixtures' clock: remedies read none
