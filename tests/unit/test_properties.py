"""Properties of the decision core, over generated plain values (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from policies import (
    Account,
    Balance,
    Check,
    Grade,
    GradePolicy,
    ItemKind,
    OpenItem,
    Outcome,
    Policy,
    evaluate,
)
from policies.model import CREDIT_KINDS

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2)
dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
items = st.lists(
    st.builds(OpenItem, st.uuids().map(str), st.sampled_from(ItemKind), money, dates),
    max_size=8,
)
accounts = st.builds(
    Account,
    st.just("C1"),
    st.decimals(min_value=Decimal(0), max_value=Decimal("2000000"), places=2),
    st.just("EUR"),
    st.sampled_from(Grade),
    st.integers(0, 120),
    st.booleans(),
    st.none() | dates,
)
balances = st.builds(
    Balance,
    items.map(tuple),
    st.decimals(min_value=Decimal(0), max_value=Decimal("1000000"), places=2),
    st.datetimes(min_value=datetime(2026, 11, 1), max_value=datetime(2026, 11, 22, 9)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
)
policies = st.builds(
    Policy,
    st.fixed_dictionaries(
        {
            g: st.builds(
                GradePolicy,
                st.integers(0, 60),
                st.decimals(min_value=Decimal(0), max_value=Decimal(1000), places=2),
                st.none() | money,
            )
            for g in Grade
        }
    ),
    st.frozensets(st.sampled_from(Check)),
)


def run(amount: Decimal, account: Account, balance: Balance, policy: Policy):  # type: ignore[no-untyped-def]
    return evaluate(
        order_amount=amount,
        currency="EUR",
        account=account,
        balance=balance,
        policy=policy,
        now=NOW,
        today=TODAY,
    )


@given(money, money, accounts, balances, policies)
def test_more_exposure_never_turns_a_hold_into_a_release(
    amount: Decimal, extra: Decimal, account: Account, balance: Balance, policy: Policy
) -> None:
    before = run(amount, account, balance, policy)
    more_orders = run(
        amount, account, replace(balance, open_orders=balance.open_orders + extra), policy
    )
    bigger_order = run(amount + extra, account, balance, policy)
    if before.outcome is Outcome.HOLD:
        assert more_orders.outcome is Outcome.HOLD
        assert bigger_order.outcome is Outcome.HOLD


@given(money, accounts, balances, policies)
def test_same_inputs_same_decision(
    amount: Decimal, account: Account, balance: Balance, policy: Policy
) -> None:
    assert run(amount, account, balance, policy) == run(amount, account, balance, policy)


@given(money, accounts, balances, policies, st.randoms())
def test_order_of_checks_does_not_matter(
    amount: Decimal, account: Account, balance: Balance, policy: Policy, rnd: object
) -> None:
    shuffled = list(policy.checks)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    again = replace(policy, checks=frozenset(shuffled))
    assert run(amount, account, balance, policy) == run(amount, account, balance, again)


@given(money, accounts, balances, policies)
def test_figures_add_up(
    amount: Decimal, account: Account, balance: Balance, policy: Policy
) -> None:
    e = run(amount, account, balance, policy).exposure
    assert e.total == e.open_items + e.open_orders + e.order_amount
    assert e.available == e.credit_limit - e.open_items - e.open_orders
    assert e.over_limit == max(Decimal(0), e.total - e.credit_limit)
    # Prepayments and credit notes lower the open items and are never overdue.
    debts = sum((i.amount for i in balance.items if i.kind not in CREDIT_KINDS), Decimal(0))
    credits = sum((i.amount for i in balance.items if i.kind in CREDIT_KINDS), Decimal(0))
    assert e.open_items == debts - credits
    assert e.overdue_amount <= debts


@given(money, accounts, balances, policies)
def test_a_release_never_exceeds_the_limit_when_the_check_is_on(
    amount: Decimal, account: Account, balance: Balance, policy: Policy
) -> None:
    policy = replace(policy, checks=policy.checks | {Check.CREDIT_LIMIT})
    d = run(amount, account, balance, policy)
    if d.outcome is Outcome.RELEASE:
        assert d.exposure.total <= account.credit_limit
        assert timedelta(0) <= NOW - balance.as_of
