"""Aging of open items in the buckets the monthly credit review uses (seed 004 §3.0,
§4.3): receivables and notes receivable aged apart, then summed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from policies.model import CREDIT_KINDS, ItemKind, OpenItem

# (label, lowest days overdue, highest days overdue or None for open-ended). The labels
# are the API's keys (`GET /v1/customers/{id}/aging`); the console shows them as they are.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", -(10**9), 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("over_180", 181, None),
)
LABELS: tuple[str, ...] = tuple(label for label, _, _ in BUCKETS)


def bucket_of(days_past_due: int) -> str:
    for label, low, high in BUCKETS:
        if days_past_due >= low and (high is None or days_past_due <= high):
            return label
    return LABELS[0]  # below the lowest bound: far from due, current


def days_past_due(item: OpenItem, today: date) -> int:
    """Days past due as of `today`; a note with its invoice's date ages by its days past
    the invoice's term (fixed when it was pushed), one without by its maturity."""
    if item.kind is ItemKind.NOTE and item.days_past_term is not None:
        return item.days_past_term
    return (today - item.due_date).days


def _empty() -> dict[str, Decimal]:
    return {label: Decimal(0) for label in LABELS}


def aging(items: Iterable[OpenItem], today: date) -> dict[str, Decimal]:
    """Sum of open amounts per bucket (not yet due counts as current). Prepayments and
    credit notes are no debt: they lower exposure and are not aged."""
    totals = _empty()
    for item in items:
        if item.kind not in CREDIT_KINDS:
            totals[bucket_of(days_past_due(item, today))] += item.amount
    return totals


@dataclass(frozen=True, slots=True)
class AgingReport:
    receivables: dict[str, Decimal]
    notes: dict[str, Decimal]
    total: dict[str, Decimal]

    @property
    def balance(self) -> Decimal:
        """Receivables and notes together: what DSO is computed from."""
        return sum(self.total.values(), Decimal(0))


def aging_report(items: Iterable[OpenItem], today: date) -> AgingReport:
    listed = tuple(items)
    receivables = aging((i for i in listed if i.kind is ItemKind.INVOICE), today)
    notes = aging((i for i in listed if i.kind is ItemKind.NOTE), today)
    total = {label: receivables[label] + notes[label] for label in LABELS}
    return AgingReport(receivables, notes, total)
