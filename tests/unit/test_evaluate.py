"""The decision core with plain values: one table row per rule, no mocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

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
    StaleAction,
    evaluate,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
POLICY = Policy(
    grades={
        Grade.A: GradePolicy(15, D("500"), None),
        Grade.B: GradePolicy(7, D("100"), D("50000")),
        Grade.C: GradePolicy(0, D("0"), D("5000")),
        Grade.D: GradePolicy(0, D("0"), None),
    }
)
ACCOUNT = Account("C1", D("10000.00"), "EUR", Grade.B, 30)


def item(amount: str, due: date, item_id: str = "I1") -> OpenItem:
    return OpenItem(item_id, ItemKind.INVOICE, D(amount), due)


def balance(*items: OpenItem, open_orders: str = "0", as_of: datetime = NOW) -> Balance:
    return Balance(items=items, open_orders=D(open_orders), as_of=as_of)


def decide(
    amount: str,
    account: Account | None = ACCOUNT,
    bal: Balance | None = None,
    policy: Policy = POLICY,
    now: datetime = NOW,
    today: date = TODAY,
):  # type: ignore[no-untyped-def]
    return evaluate(
        order_amount=D(amount),
        currency="EUR",
        account=account,
        balance=bal if bal is not None else balance(),
        policy=policy,
        now=now,
        today=today,
    )


def codes(decision) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(r.code) for r in decision.reasons]


CASES = [
    # (name, amount, account, balance, expected reason codes)
    ("plain release", "1000.00", ACCOUNT, balance(), []),
    ("exactly at the limit releases", "10000.00", ACCOUNT, balance(), []),
    ("one cent over the limit", "10000.01", ACCOUNT, balance(), ["CREDIT_LIMIT_EXCEEDED"]),
    (
        "open items count",
        "6000.00",
        ACCOUNT,
        balance(item("4000.01", TODAY)),
        ["CREDIT_LIMIT_EXCEEDED"],
    ),
    (
        "open orders count",
        "6000.00",
        ACCOUNT,
        balance(open_orders="4000.01"),
        ["CREDIT_LIMIT_EXCEEDED"],
    ),
    ("due today is not overdue", "10.00", ACCOUNT, balance(item("200", TODAY)), []),
    (
        "within the grade tolerance",
        "10.00",
        ACCOUNT,
        balance(item("200", TODAY - timedelta(days=7))),
        [],
    ),
    (
        "one day past the tolerance",
        "10.00",
        ACCOUNT,
        balance(item("200", TODAY - timedelta(days=8))),
        ["OVERDUE"],
    ),
    (
        "overdue at or below the minimum amount",
        "10.00",
        ACCOUNT,
        balance(item("100", TODAY - timedelta(days=30))),
        [],
    ),
    ("blocked customer", "10.00", replace(ACCOUNT, blocked=True), balance(), ["CUSTOMER_BLOCKED"]),
    ("unknown customer", "10.00", None, balance(), ["NO_CREDIT"]),
    ("grade D", "10.00", replace(ACCOUNT, grade=Grade.D), balance(), ["NO_CREDIT"]),
    (
        "zero limit",
        "10.00",
        replace(ACCOUNT, credit_limit=D(0)),
        balance(),
        ["NO_CREDIT", "CREDIT_LIMIT_EXCEEDED"],
    ),
    (
        "review date passed",
        "10.00",
        replace(ACCOUNT, review_date=TODAY - timedelta(days=1)),
        balance(),
        ["REVIEW_DATE_PASSED"],
    ),
    ("review date today is fine", "10.00", replace(ACCOUNT, review_date=TODAY), balance(), []),
    (
        "order value over the grade maximum",
        "6000.00",
        replace(ACCOUNT, grade=Grade.C, credit_limit=D("100000")),
        balance(),
        ["ORDER_VALUE_EXCEEDED"],
    ),
    (
        "stale balance holds",
        "10.00",
        ACCOUNT,
        balance(as_of=NOW - timedelta(hours=25)),
        ["BALANCE_STALE"],
    ),
    (
        "every failing check is reported, in the stable order",
        "20000.00",
        replace(ACCOUNT, blocked=True, review_date=date(2026, 1, 1)),
        balance(item("500", date(2026, 1, 1)), as_of=NOW - timedelta(days=3)),
        [
            "CUSTOMER_BLOCKED",
            "CREDIT_LIMIT_EXCEEDED",
            "OVERDUE",
            "REVIEW_DATE_PASSED",
            "BALANCE_STALE",
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "amount", "account", "bal", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_rules(
    name: str, amount: str, account: Account | None, bal: Balance, expected: list[str]
) -> None:
    decision = decide(amount, account, bal)
    assert codes(decision) == expected
    assert decision.outcome is (Outcome.HOLD if expected else Outcome.RELEASE)


def test_figures_follow_the_contract() -> None:
    bal = balance(
        item("1500.00", TODAY - timedelta(days=40), "I1"),
        item("500.00", TODAY + timedelta(days=10), "I2"),
        open_orders="2000.00",
    )
    e = decide("7000.00", bal=bal).exposure
    assert e.open_items == D("2000.00")
    assert e.open_orders == D("2000.00")
    assert e.total == D("11000.00")
    assert e.available == D("6000.00")
    assert e.over_limit == D("1000.00")
    assert e.overdue_amount == D("1500.00")
    assert e.oldest_overdue_days == 40
    assert e.balance_as_of == NOW


def test_near_limit_warning_at_ninety_percent() -> None:
    assert [str(w.code) for w in decide("9000.00").warnings] == ["LIMIT_NEARLY_USED"]
    assert decide("8999.99").warnings == ()
    assert decide("9000.00").outcome is Outcome.RELEASE


def test_stale_balance_can_warn_instead_of_hold() -> None:
    policy = replace(POLICY, stale_action=StaleAction.WARN)
    d = decide("10.00", bal=balance(as_of=NOW - timedelta(days=2)), policy=policy)
    assert d.outcome is Outcome.RELEASE
    assert [str(w.code) for w in d.warnings] == ["BALANCE_STALE"]


def test_disabled_checks_do_not_run() -> None:
    policy = replace(POLICY, checks=frozenset(Check) - {Check.CREDIT_LIMIT})
    assert decide("50000.00", policy=policy).outcome is Outcome.RELEASE


def test_messages_carry_the_figures() -> None:
    (reason,) = decide("10500.00").reasons
    assert reason.message == ("exposure EUR 10500.00 exceeds limit EUR 10000.00 by EUR 500.00")


# --- Milestone 2: credits, prepaid orders, order terms, notes past term ------------------


def test_prepayments_and_credit_notes_lower_exposure() -> None:
    bal = balance(
        item("4000.00", TODAY + timedelta(days=5)),
        OpenItem("P1", ItemKind.PREPAYMENT, D("1500.00"), TODAY - timedelta(days=90)),
        OpenItem("C1", ItemKind.CREDIT_NOTE, D("500.00"), TODAY - timedelta(days=90)),
    )
    d = decide("7900.00", bal=bal)
    assert d.outcome is Outcome.RELEASE
    assert d.exposure.open_items == D("2000.00")
    assert d.exposure.overdue_amount == 0  # credits are never overdue
    assert decide("8001.00", bal=bal).outcome is Outcome.HOLD


@pytest.mark.parametrize(
    ("account", "released"),
    [
        (replace(ACCOUNT, grade=Grade.D), True),
        (replace(ACCOUNT, credit_limit=D(0)), True),
        (replace(ACCOUNT, review_date=TODAY - timedelta(days=1)), True),
        (replace(ACCOUNT, blocked=True), False),
        (None, False),
    ],
)
def test_prepaid_order_is_released_unless_blocked(account: Account | None, released: bool) -> None:
    bal = balance(item("9000.00", TODAY - timedelta(days=100)))
    d = evaluate(
        order_amount=D("50000.00"),
        currency="EUR",
        account=account,
        balance=bal,
        policy=POLICY,
        now=NOW,
        today=TODAY,
        prepaid=True,
    )
    assert d.released is released
    assert (d.reasons == ()) is released


@pytest.mark.parametrize(("terms", "held"), [(None, False), (29, False), (30, False), (31, True)])
def test_order_terms_longer_than_approved_hold(terms: int | None, held: bool) -> None:
    d = evaluate(
        order_amount=D("10.00"),
        currency="EUR",
        account=ACCOUNT,
        balance=balance(),
        policy=POLICY,
        now=NOW,
        today=TODAY,
        order_terms_days=terms,
    )
    assert [r.code for r in d.reasons] == (["TERMS_EXCEED_APPROVED"] if held else [])


@pytest.mark.parametrize(
    ("switch", "days", "held"),
    [(False, 90, False), (True, 90, True), (True, 7, False), (True, 8, True)],
)
def test_note_past_term_holds_only_where_switched_on(switch: bool, days: int, held: bool) -> None:
    grades = dict(POLICY.grades)
    grades[Grade.C] = GradePolicy(7, D("0"), None, note_past_term_holds=switch)
    policy = replace(POLICY, grades=grades)
    note = OpenItem("N1", ItemKind.NOTE, D("100.00"), TODAY + timedelta(days=60), days)
    d = decide("10.00", account=replace(ACCOUNT, grade=Grade.C), bal=balance(note), policy=policy)
    assert (d.outcome is Outcome.HOLD) is held
    assert d.exposure.overdue_amount == (D("100.00") if held else 0)
    assert d.exposure.oldest_overdue_days == (days if held else 0)
