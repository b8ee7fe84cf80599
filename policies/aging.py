"""Aging of open items in the buckets the monthly credit review uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from policies.model import OpenItem

# (label, lowest days overdue, highest days overdue or None for open-ended)
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", -(10**6), 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("over 180", 181, None),
)


def aging(items: Iterable[OpenItem], today: date) -> dict[str, Decimal]:
    """Sum of open amounts per bucket of days past due (not yet due counts as current)."""
    totals = {label: Decimal(0) for label, _, _ in BUCKETS}
    for item in items:
        days = (today - item.due_date).days
        for label, low, high in BUCKETS:
            if days >= low and (high is None or days <= high):
                totals[label] += item.amount
                break
    return totals
