"""Credit groups and dated rates in the pure core: tables of plain values, and
hypothesis properties against a slow restatement of the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import (
    Account,
    Balance,
    Check,
    DatedRates,
    FxQuote,
    FxRates,
    Grade,
    GradePolicy,
    GroupFigures,
    Outcome,
    Policy,
    ReasonCode,
    evaluate,
    group_exposure,
)
from policies.money import UnsupportedCurrencyError
from policies.reasons import REASON_ORDER

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
POLICY = Policy(grades={g: GradePolicy() for g in Grade})
ACCOUNT = Account("C1", D("10000.00"), "EUR", Grade.B, 30)
CONFIG = FxRates("EUR", {"USD": D("1.0850"), "GBP": D("0.8550")})


def figures(open_exposure: str, order: str, limit: str = "12000.00") -> GroupFigures:
    return GroupFigures("G1", "EUR", D(limit), D(open_exposure), D(order))


def decide(amount: str, group: GroupFigures | None, policy: Policy = POLICY):  # type: ignore[no-untyped-def]
    return evaluate(
        order_amount=D(amount),
        currency="EUR",
        account=ACCOUNT,
        balance=Balance((), D(0), NOW),
        policy=policy,
        now=NOW,
        today=TODAY,
        group=group,
    )


@pytest.mark.parametrize(
    ("open_exposure", "order", "outcome", "total", "available", "over"),
    [
        ("0", "5000.00", Outcome.RELEASE, "5000.00", "12000.00", "0"),
        ("7000.00", "5000.00", Outcome.RELEASE, "12000.00", "5000.00", "0"),
        ("7000.00", "5000.01", Outcome.HOLD, "12000.01", "5000.00", "0.01"),
        ("13000.00", "1.00", Outcome.HOLD, "13001.00", "-1000.00", "1001.00"),
    ],
)
def test_the_group_limit(
    open_exposure: str, order: str, outcome: Outcome, total: str, available: str, over: str
) -> None:
    decision = decide(order, figures(open_exposure, order))
    assert decision.outcome is outcome
    g = decision.exposure.group
    assert g is not None
    assert (g.total, g.available, g.over_limit) == (D(total), D(available), D(over))
    codes = [r.code for r in decision.reasons]
    assert codes == ([ReasonCode.GROUP_LIMIT_EXCEEDED] if outcome is Outcome.HOLD else [])


def test_no_group_no_group_figures() -> None:
    decision = decide("5000.00", None)
    assert decision.exposure.group is None and decision.released


def test_the_group_limit_is_a_credit_limit_check() -> None:
    without = Policy(grades=POLICY.grades, checks=frozenset(Check) - {Check.CREDIT_LIMIT})
    assert decide("5000.00", figures("13000.00", "5000.00"), without).released


def test_group_reason_ranks_after_the_customers_limit() -> None:
    rank = REASON_ORDER.index
    assert rank(ReasonCode.CREDIT_LIMIT_EXCEEDED) < rank(ReasonCode.GROUP_LIMIT_EXCEEDED)
    decision = decide("11000.00", figures("5000.00", "11000.00"))
    assert [r.code for r in decision.reasons] == [
        ReasonCode.CREDIT_LIMIT_EXCEEDED,
        ReasonCode.GROUP_LIMIT_EXCEEDED,
    ]


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@given(money, money, money)
def test_group_arithmetic(limit: D, open_exposure: D, order: D) -> None:
    g = group_exposure(GroupFigures("G", "EUR", limit, open_exposure, order))
    assert g.total == open_exposure + order
    assert g.available == limit - open_exposure
    assert g.over_limit == (g.total - limit if g.total > limit else 0)
    held = decide(str(order or 1), GroupFigures("G", "EUR", limit, open_exposure, order))
    assert (ReasonCode.GROUP_LIMIT_EXCEEDED in [r.code for r in held.reasons]) == (
        open_exposure + order > limit
    )


DATED = DatedRates(
    CONFIG,
    {
        "USD": ((date(2026, 11, 1), D("1.1000")), (date(2026, 11, 20), D("1.2000"))),
        "CHF": ((date(2026, 11, 1), D("0.9500")),),
    },
)


@pytest.mark.parametrize(
    ("currency", "day", "quote"),
    [
        ("EUR", date(2026, 11, 22), FxQuote(D(1), None)),
        ("USD", date(2026, 10, 31), FxQuote(D("1.0850"), None)),
        ("USD", date(2026, 11, 1), FxQuote(D("1.1000"), date(2026, 11, 1))),
        ("USD", date(2026, 11, 19), FxQuote(D("1.1000"), date(2026, 11, 1))),
        ("USD", date(2026, 11, 20), FxQuote(D("1.2000"), date(2026, 11, 20))),
        ("USD", date(2099, 1, 1), FxQuote(D("1.2000"), date(2026, 11, 20))),
        ("GBP", date(2026, 11, 22), FxQuote(D("0.8550"), None)),
        ("CHF", date(2026, 11, 2), FxQuote(D("0.9500"), date(2026, 11, 1))),
    ],
)
def test_the_rate_of_a_day(currency: str, day: date, quote: FxQuote) -> None:
    assert DATED.quote(currency, day) == quote
    if currency != "EUR":
        assert DATED.on(day).rate(currency) == quote.rate


def test_a_currency_with_no_rate_on_the_day_is_unsupported() -> None:
    with pytest.raises(UnsupportedCurrencyError):
        DATED.quote("CHF", date(2026, 10, 1))
    with pytest.raises(UnsupportedCurrencyError):
        DATED.on(date(2026, 10, 1)).rate("CHF")


def test_the_rate_shown_with_a_check() -> None:
    day = date(2026, 11, 22)
    assert DATED.order_quote("EUR", "EUR", day) is None
    assert DATED.order_quote("USD", "EUR", day) == FxQuote(D("1.2000"), date(2026, 11, 20))
    assert DATED.order_quote("EUR", "USD", day) == FxQuote(D("1.2000"), date(2026, 11, 20))
    assert DATED.order_quote("GBP", "USD", day) == FxQuote(D("0.8550"), None)


def test_without_dated_rates_the_config_is_used_as_is() -> None:
    assert DatedRates(CONFIG).on(TODAY) is CONFIG


days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
rate = st.decimals(min_value=D("0.0001"), max_value=D(1000), places=4)


@given(st.dictionaries(days, rate, max_size=12), days)
def test_latest_on_or_before_against_a_slow_search(series: dict[date, D], day: date) -> None:
    dated = DatedRates(CONFIG, {"USD": tuple(sorted(series.items()))})
    # Slow: walk back day by day to the start of the year.
    expected = FxQuote(D("1.0850"), None)
    probe = day
    while probe >= date(2026, 1, 1):
        if probe in series:
            expected = FxQuote(series[probe], probe)
            break
        probe -= timedelta(days=1)
    assert dated.quote("USD", day) == expected
