"""The committee report's month and review rule, with plain values."""

from __future__ import annotations

from datetime import date

import pytest

from policies.committee import BadMonth, parse_month, previous_month, report_day, review_due

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_months(text: str, first: date, last: date) -> None:
    m = parse_month(text, TODAY)
    assert (m.first, m.last, m.label) == (first, last, text)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "26-11", "2026-12", "0999-01", "", "2026-11-01"]
)
def test_bad_months(text: str) -> None:
    with pytest.raises(BadMonth):
        parse_month(text, TODAY)


def test_previous_month_and_report_day() -> None:
    jan = parse_month("2026-01", TODAY)
    assert previous_month(jan).label == "2025-12"
    assert report_day(jan, TODAY) == date(2026, 1, 31)
    assert report_day(parse_month("2026-11", TODAY), TODAY) == TODAY


@pytest.mark.parametrize(
    ("review", "due"),
    [
        (None, True),
        (date(2025, 1, 1), True),
        (date(2026, 10, 31), True),
        (date(2026, 11, 30), True),
        (date(2026, 12, 1), False),
    ],
)
def test_review_due(review: date | None, due: bool) -> None:
    assert review_due(review, parse_month("2026-10", TODAY)) is due
