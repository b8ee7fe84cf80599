"""The monthly credit committee's report (seed 004 §4.3): which month, what counts in
it. Pure: the report's figures come in as values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
REVIEW_WINDOW_DAYS = 30  # a review falling due within 30 days of the month's end is due


class BadMonth(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Month:
    first: date  # its first day
    next_first: date  # the first day of the month after

    @property
    def label(self) -> str:
        return f"{self.first.year:04d}-{self.first.month:02d}"

    @property
    def last(self) -> date:
        return self.next_first - timedelta(days=1)


def parse_month(text: str, today: date) -> Month:
    """ "YYYY-MM", not after `today`'s month (BadMonth otherwise)."""
    found = MONTH.match(text)
    if found is None:
        raise BadMonth(f"month {text!r} is not YYYY-MM")
    year, month = int(found.group(1)), int(found.group(2))
    if year < 1900:
        raise BadMonth(f"month {text!r} is too early")
    first = date(year, month, 1)
    if first > today:
        raise BadMonth(f"month {text} has not begun")
    next_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Month(first, next_first)


def previous_month(month: Month) -> Month:
    last = month.first - timedelta(days=1)
    return Month(date(last.year, last.month, 1), month.first)


def report_day(month: Month, today: date) -> date:
    """The day the report's aging is taken: the month's last day, or today within it."""
    return min(today, month.last)


def review_due(review_date: date | None, month: Month) -> bool:
    """Missing, or falling due by 30 days after the month's end."""
    return review_date is None or review_date <= month.last + timedelta(days=REVIEW_WINDOW_DAYS)


# The committee's decisions (seed 004 §4.3): what it decided for a customer in a month.
STOP_SHIPMENTS = "stop_shipments"  # blocked until the overdue is paid
TERM_CHANGE = "term_change"  # a change of terms to file as an update credit application
EXTENSION = "extension"  # an individual extension, optionally until a date
DECISION_KINDS = (STOP_SHIPMENTS, TERM_CHANGE, EXTENSION)


def block_lifts(active_stops: int, overdue: Decimal) -> bool:
    """A stop-shipment lifts itself once the customer owes nothing overdue."""
    return active_stops > 0 and overdue <= 0


def summarize(decisions: list[tuple[str, str | None]]) -> str:
    """(kind, until) pairs as one CSV cell: "stop_shipments; extension until 2026-12-31"."""
    return "; ".join(kind + (f" until {until}" if until else "") for kind, until in decisions)
