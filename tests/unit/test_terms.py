"""Due dates from terms, DAYS360 and a note's days past term: tables, then properties
against slow implementations written here (day by day, month by month)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.terms import TermsBasis, days360, due_date, note_days_past_term

INV, ME = TermsBasis.INVOICE, TermsBasis.MONTH_END


@pytest.mark.parametrize(
    ("document", "terms", "basis", "closing", "due"),
    [
        (date(2026, 1, 20), 60, INV, None, date(2026, 3, 21)),
        (date(2026, 1, 20), 0, INV, None, date(2026, 1, 20)),
        (date(2026, 12, 31), 1, INV, None, date(2027, 1, 1)),
        # 月结: the month's end on or after the document date, then the terms.
        (date(2026, 1, 20), 30, ME, None, date(2026, 3, 2)),
        (date(2026, 1, 31), 0, ME, None, date(2026, 1, 31)),
        (date(2026, 2, 1), 0, ME, None, date(2026, 2, 28)),
        (date(2028, 2, 1), 0, ME, None, date(2028, 2, 29)),
        (date(2026, 12, 5), 60, ME, None, date(2027, 3, 1)),
        # A closing day: on it, before it, after it (the next month's), across a year.
        (date(2026, 1, 25), 30, ME, 25, date(2026, 2, 24)),
        (date(2026, 1, 20), 0, ME, 25, date(2026, 1, 25)),
        (date(2026, 1, 26), 0, ME, 25, date(2026, 2, 25)),
        (date(2026, 12, 29), 10, ME, 28, date(2027, 2, 7)),
        (date(2026, 2, 28), 0, ME, 1, date(2026, 3, 1)),
    ],
)
def test_due_date(
    document: date, terms: int, basis: TermsBasis, closing: int | None, due: date
) -> None:
    assert due_date(document, terms, basis, closing) == due


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2010, 1, 20), date(2010, 6, 20), 150),
        (date(2010, 3, 20), date(2010, 6, 20), 90),
        (date(2011, 1, 30), date(2011, 2, 28), 28),  # an end in February is not moved
        (date(2011, 1, 31), date(2011, 2, 28), 28),  # a start on the 31st counts as the 30th
        (date(2011, 2, 28), date(2011, 3, 31), 30),  # February's last day counts as the 30th
        (date(2012, 2, 28), date(2012, 3, 31), 33),  # ... in a leap year that is the 29th
        (date(2011, 1, 1), date(2011, 1, 31), 30),  # the 31st after a start < 30: next 1st
        (date(2011, 1, 30), date(2011, 3, 31), 60),
        (date(2011, 1, 1), date(2011, 12, 31), 360),
        (date(2010, 6, 20), date(2010, 1, 20), -150),
        (date(2010, 1, 1), date(2010, 1, 1), 0),
    ],
)
def test_days360(start: date, end: date, days: int) -> None:
    assert days360(start, end) == days


def test_seed_note_example() -> None:
    # Seed 004 §3.0: invoice 2010-01-20, 60 days, note maturing 2010-06-20: 90 days.
    assert note_days_past_term(date(2010, 1, 20), date(2010, 6, 20), 60) == 90


@pytest.mark.parametrize(
    ("invoice", "maturity", "terms", "basis", "closing", "days"),
    [
        (date(2010, 1, 20), date(2010, 3, 20), 60, INV, None, 0),
        (date(2010, 1, 20), date(2010, 2, 20), 60, INV, None, -30),
        # 月结 30: due 2010-03-02 (Jan's end + 30 days); to 2010-06-20 on 30/360.
        (date(2010, 1, 20), date(2010, 6, 20), 30, ME, None, 108),
        (date(2010, 1, 20), date(2010, 6, 20), 0, ME, 25, 145),
    ],
)
def test_note_days_past_term(
    invoice: date, maturity: date, terms: int, basis: TermsBasis, closing: int | None, days: int
) -> None:
    assert note_days_past_term(invoice, maturity, terms, basis, closing) == days


# --- slow, independent implementations -------------------------------------------------


def slow_due(document: date, terms: int, basis: TermsBasis, closing: int | None) -> date:
    day = document
    if basis is ME:
        while True:  # walk day by day to the first closing day
            month_end = (day + timedelta(days=1)).month != day.month
            if (closing is None and month_end) or (closing is not None and day.day == closing):
                break
            day += timedelta(days=1)
    for _ in range(terms):
        day += timedelta(days=1)
    return day


def slow_days360(start: date, end: date) -> int:
    """Count 30/360 days month by month on the adjusted (year, month, day) triples."""
    feb_end = start.month == 2 and start.day == calendar.monthrange(start.year, 2)[1]
    sy, sm, sd = start.year, start.month, 30 if start.day == 31 or feb_end else start.day
    ey, em, ed = end.year, end.month, end.day
    if ed == 31:
        if sd == 30:
            ed = 30
        else:  # the 1st of the next month
            ey, em, ed = (ey + 1, 1, 1) if em == 12 else (ey, em + 1, 1)
    total = 0
    while (sy, sm) < (ey, em):
        total += 30
        sy, sm = (sy + 1, 1) if sm == 12 else (sy, sm + 1)
    while (sy, sm) > (ey, em):
        total -= 30
        sy, sm = (sy - 1, 12) if sm == 1 else (sy, sm - 1)
    return total + ed - sd


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
closings = st.one_of(st.none(), st.integers(min_value=1, max_value=28))


@given(dates, st.integers(min_value=0, max_value=400), st.sampled_from(TermsBasis), closings)
def test_due_date_matches_a_day_by_day_walk(
    document: date, terms: int, basis: TermsBasis, closing: int | None
) -> None:
    due = due_date(document, terms, basis, closing)
    assert due == slow_due(document, terms, basis, closing)
    assert due >= document + timedelta(days=terms)
    if basis is ME:
        assert due - timedelta(days=terms) < document + timedelta(days=31)


@given(dates, dates)
def test_days360_matches_a_month_by_month_count(start: date, end: date) -> None:
    assert days360(start, end) == slow_days360(start, end)


@given(dates, st.integers(min_value=0, max_value=10_000))
def test_days360_grows_with_the_end_and_stays_near_actual_days(start: date, n: int) -> None:
    end = start + timedelta(days=n)
    actual = (end - start).days
    counted = days360(start, end)
    assert counted >= -2  # Feb's end as the 30th can run ahead of a day in March
    # 5.25 days a year off at most, plus month-end adjustments at both ends.
    assert abs(counted - actual) <= actual * 6 // 360 + 4
    assert days360(start, end + timedelta(days=1)) >= counted


@given(dates, dates, st.integers(min_value=0, max_value=365))
def test_note_days_is_days360_less_terms_on_invoice_basis(
    invoice: date, maturity: date, terms: int
) -> None:
    assert note_days_past_term(invoice, maturity, terms) == slow_days360(invoice, maturity) - terms
