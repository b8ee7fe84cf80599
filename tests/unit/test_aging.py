"""Aging buckets at their edges; receivables and notes; properties against a slow tally."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import ItemKind, OpenItem
from policies.aging import LABELS, aging, aging_report, bucket_of
from policies.terms import note_days_past_term

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("days_overdue", "bucket"),
    [
        (-30, "current"),
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "over_180"),
        (2000, "over_180"),
    ],
)
def test_bucket_edges(days_overdue: int, bucket: str) -> None:
    item = OpenItem("I", ItemKind.INVOICE, Decimal("10.00"), TODAY - timedelta(days=days_overdue))
    result = aging([item], TODAY)
    assert result[bucket] == Decimal("10.00")
    assert sum(result.values()) == Decimal("10.00")


def test_all_buckets_present_and_summed() -> None:
    items = [
        OpenItem(str(n), ItemKind.INVOICE, Decimal(n), TODAY - timedelta(days=n * 20))
        for n in range(1, 12)
    ]
    result = aging(items, TODAY)
    assert list(result) == ["current", "1-30", "31-60", "61-90", "91-180", "over_180"]
    assert sum(result.values()) == sum(Decimal(n) for n in range(1, 12))


# --- receivables and notes, apart and summed (seed 004 §3.0) ---------------------------


def test_seed_note_lands_in_61_90_whatever_today() -> None:
    days = note_days_past_term(date(2010, 1, 20), date(2010, 6, 20), 60)
    note = OpenItem("N1", ItemKind.NOTE, Decimal("125000.00"), date(2010, 6, 20), days)
    for today in (date(2010, 3, 31), date(2010, 6, 1), date(2010, 12, 31)):
        report = aging_report([note], today)
        assert report.notes["61-90"] == Decimal("125000.00")
        assert report.total["61-90"] == Decimal("125000.00")
        assert sum(report.receivables.values()) == 0


def test_note_without_invoice_date_ages_by_maturity() -> None:
    note = OpenItem("N1", ItemKind.NOTE, Decimal("50.00"), TODAY - timedelta(days=45))
    assert aging_report([note], TODAY).notes["31-60"] == Decimal("50.00")


def test_credits_are_not_aged() -> None:
    items = [
        OpenItem("P", ItemKind.PREPAYMENT, Decimal("70.00"), TODAY - timedelta(days=400)),
        OpenItem("C", ItemKind.CREDIT_NOTE, Decimal("30.00"), TODAY - timedelta(days=10)),
        OpenItem("I", ItemKind.INVOICE, Decimal("100.00"), TODAY - timedelta(days=10)),
    ]
    report = aging_report(items, TODAY)
    assert report.receivables["1-30"] == Decimal("100.00")
    assert report.balance == Decimal("100.00")


def slow_bucket(days: int) -> str:
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    if days <= 180:
        return "91-180"
    return "over_180"


kinds = st.sampled_from(list(ItemKind))
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2)
items_st = st.lists(
    st.builds(
        OpenItem,
        item_id=st.text(min_size=1, max_size=3),
        kind=kinds,
        amount=amounts,
        due_date=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
        days_past_term=st.one_of(st.none(), st.integers(min_value=-400, max_value=4000)),
    ),
    max_size=30,
)


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_bucket_matches_an_if_chain(days: int) -> None:
    assert bucket_of(days) == slow_bucket(days)


@given(items_st, st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)))
def test_report_matches_a_slow_tally(items: list[OpenItem], today: date) -> None:
    receivables = {label: Decimal(0) for label in LABELS}
    notes = {label: Decimal(0) for label in LABELS}
    for item in items:
        if item.kind == ItemKind.INVOICE:
            receivables[slow_bucket((today - item.due_date).days)] += item.amount
        elif item.kind == ItemKind.NOTE:
            days = item.days_past_term
            if days is None:
                days = (today - item.due_date).days
            notes[slow_bucket(days)] += item.amount
    report = aging_report(items, today)
    assert report.receivables == receivables
    assert report.notes == notes
    assert report.total == {k: receivables[k] + notes[k] for k in LABELS}
    debts = [i.amount for i in items if i.kind in (ItemKind.INVOICE, ItemKind.NOTE)]
    assert report.balance == sum(debts, Decimal(0))
    assert list(report.total) == list(LABELS)
