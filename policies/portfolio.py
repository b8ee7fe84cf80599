"""The credit portfolio the monthly committee reviews (seed 004 §4.3): every customer's
figures, already converted into one currency, summed and ranked. Pure: no rounding
here (the caller rounds once, when it renders), `today`/`now` come in as arguments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from policies.aging import LABELS
from policies.dso import DEFAULT_VAT_FACTOR, dso_days

ZERO = Decimal(0)
NEAR_LIMIT_RATIO = Decimal("0.9")  # exposure at 90 % of the limit or more
TOP_EXPOSURES = 10


@dataclass(frozen=True, slots=True)
class CustomerFigures:
    """One customer's figures, every amount in the portfolio's currency."""

    customer_id: str
    name: str
    credit_limit: Decimal
    exposure: Decimal
    receivables: Mapping[str, Decimal]  # aging buckets (policies.aging.LABELS)
    notes: Mapping[str, Decimal]
    sales: Mapping[str, Decimal]  # net sales by "YYYY-MM"
    intercompany: bool = False

    @property
    def over_180(self) -> Decimal:
        return self.receivables.get("over_180", ZERO) + self.notes.get("over_180", ZERO)

    @property
    def balance(self) -> Decimal:
        return sum(self.receivables.values(), ZERO) + sum(self.notes.values(), ZERO)


@dataclass(frozen=True, slots=True)
class HeldOrder:
    amount: Decimal  # in the portfolio's currency
    held_since: datetime


@dataclass(frozen=True, slots=True)
class Ranked:
    """A customer in one of the portfolio's lists."""

    customer_id: str
    name: str
    credit_limit: Decimal
    exposure: Decimal
    amount: Decimal  # what the list ranks by: over_180 amount, or the exposure
    utilization: Decimal | None  # exposure / limit x 100 (None without a limit)


@dataclass(frozen=True, slots=True)
class Portfolio:
    customers: int
    credit_limit_total: Decimal
    exposure_total: Decimal
    receivables: dict[str, Decimal]
    notes: dict[str, Decimal]
    total: dict[str, Decimal]
    dso_days: Decimal | None
    held_count: int
    held_amount: Decimal
    held_oldest_hours: Decimal | None
    over_180: tuple[Ranked, ...]
    near_limit: tuple[Ranked, ...]
    top_exposures: tuple[Ranked, ...]


def utilization(exposure: Decimal, limit: Decimal) -> Decimal | None:
    if limit <= 0:
        return None
    return (exposure * 100 / limit).quantize(Decimal("0.1"))


def _ranked(c: CustomerFigures, amount: Decimal) -> Ranked:
    return Ranked(
        c.customer_id,
        c.name,
        c.credit_limit,
        c.exposure,
        amount,
        utilization(c.exposure, c.credit_limit),
    )


def is_near_limit(c: CustomerFigures, ratio: Decimal = NEAR_LIMIT_RATIO) -> bool:
    """At `ratio` of the limit or beyond; a customer with no limit and any exposure is."""
    if c.credit_limit <= 0:
        return c.exposure > 0
    return c.exposure >= c.credit_limit * ratio


def bucket_sums(rows: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    totals = {label: ZERO for label in LABELS}
    for row in rows:
        for label in LABELS:
            totals[label] += row.get(label, ZERO)
    return totals


def portfolio_dso(
    customers: Iterable[CustomerFigures],
    today: date,
    vat_factor: Decimal = DEFAULT_VAT_FACTOR,
) -> Decimal | None:
    """DSO of the portfolio: group companies (intercompany) left out (seed 004 §4.3)."""
    balance = ZERO
    sales: dict[str, Decimal] = {}
    for c in customers:
        if c.intercompany:
            continue
        balance += c.balance
        for month, amount in c.sales.items():
            sales[month] = sales.get(month, ZERO) + amount
    return dso_days(balance, sales, today, vat_factor)


def held_age_hours(held: HeldOrder, now: datetime) -> Decimal:
    seconds = Decimal(max(0, int((now - held.held_since).total_seconds())))
    return (seconds / 3600).quantize(Decimal("0.1"))


def portfolio(
    customers: Iterable[CustomerFigures],
    held: Iterable[HeldOrder],
    today: date,
    now: datetime,
    vat_factor: Decimal = DEFAULT_VAT_FACTOR,
    top: int = TOP_EXPOSURES,
) -> Portfolio:
    listed = tuple(customers)
    holds = tuple(held)
    receivables = bucket_sums(c.receivables for c in listed)
    notes = bucket_sums(c.notes for c in listed)
    by_exposure = sorted(listed, key=lambda c: (-c.exposure, c.customer_id))
    near = [c for c in listed if is_near_limit(c)]
    near.sort(
        key=lambda c: (
            -(c.exposure / c.credit_limit) if c.credit_limit > 0 else Decimal("-Infinity"),
            c.customer_id,
        )
    )
    over = sorted((c for c in listed if c.over_180 > 0), key=lambda c: (-c.over_180, c.customer_id))
    oldest = min((h.held_since for h in holds), default=None)
    return Portfolio(
        customers=len(listed),
        credit_limit_total=sum((c.credit_limit for c in listed), ZERO),
        exposure_total=sum((c.exposure for c in listed), ZERO),
        receivables=receivables,
        notes=notes,
        total={label: receivables[label] + notes[label] for label in LABELS},
        dso_days=portfolio_dso(listed, today, vat_factor),
        held_count=len(holds),
        held_amount=sum((h.amount for h in holds), ZERO),
        held_oldest_hours=(held_age_hours(HeldOrder(ZERO, oldest), now) if oldest else None),
        over_180=tuple(_ranked(c, c.over_180) for c in over),
        near_limit=tuple(_ranked(c, c.exposure) for c in near),
        top_exposures=tuple(_ranked(c, c.exposure) for c in by_exposure[:top] if c.exposure > 0),
    )


# Held orders by how long they have waited: (label, from hours, to hours or None).
HELD_AGES: tuple[tuple[str, int, int | None], ...] = (
    ("<4h", 0, 4),
    ("4-24h", 4, 24),
    ("1-3d", 24, 72),
    (">3d", 72, None),
)


def held_by_age(held: Iterable[HeldOrder], now: datetime) -> list[tuple[str, int, Decimal]]:
    """(label, count, amount) per age band of the held orders."""
    counts = {label: 0 for label, _, _ in HELD_AGES}
    amounts = {label: ZERO for label, _, _ in HELD_AGES}
    for h in held:
        hours = held_age_hours(h, now)
        for label, low, high in HELD_AGES:
            if hours >= low and (high is None or hours < high):
                counts[label] += 1
                amounts[label] += h.amount
                break
    return [(label, counts[label], amounts[label]) for label, _, _ in HELD_AGES]


def months_before(today: date, count: int) -> tuple[date, ...]:
    """The first days of the `count` complete months before `today`'s, oldest first."""
    firsts = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        firsts.append(date(year, month, 1))
    return tuple(reversed(firsts))


def dso_trend(
    customers: Iterable[CustomerFigures],
    today: date,
    count: int = 6,
    vat_factor: Decimal = DEFAULT_VAT_FACTOR,
) -> list[tuple[str, Decimal | None]]:
    """The portfolio's DSO of each of the last `count` complete months: that month's sales
    and the 2 before, over the balance the figures carry (intercompany left out)."""
    listed = tuple(customers)
    trend = []
    for first in months_before(today, count):
        after = (
            date(first.year + 1, 1, 1)
            if first.month == 12
            else date(first.year, first.month + 1, 1)
        )
        trend.append(
            (f"{first.year:04d}-{first.month:02d}", portfolio_dso(listed, after, vat_factor))
        )
    return trend
