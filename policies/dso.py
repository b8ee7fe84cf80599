"""Days sales outstanding as seed 004 §3.0/§4.3 computes it: receivables and notes
over the average monthly sales of the last 3 complete months, grossed up by VAT, x 30."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

MONTHS = 3
DAYS_PER_MONTH = 30
DEFAULT_VAT_FACTOR = Decimal("1.13")  # China's VAT now (the seed's 1.17 was then)


def complete_months(today: date, count: int = MONTHS) -> tuple[str, ...]:
    """The `count` months before `today`'s month, as "YYYY-MM", newest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return tuple(months)


def dso_days(
    balance: Decimal,
    monthly_sales: Mapping[str, Decimal],
    today: date,
    vat_factor: Decimal = DEFAULT_VAT_FACTOR,
) -> Decimal | None:
    """`balance` / (average net sales of the last 3 complete months x `vat_factor`) x 30,
    rounded half up to one decimal. A month without figures counts as no sales; None
    when those months sold nothing (no sales, no DSO)."""
    sales = sum(
        (Fraction(monthly_sales.get(m, Decimal(0))) for m in complete_months(today)), Fraction(0)
    )
    if sales <= 0 or vat_factor <= 0:
        return None
    exact = Fraction(balance) * DAYS_PER_MONTH * MONTHS / (sales * Fraction(vat_factor))
    tenths = exact * 10
    whole = tenths.numerator // tenths.denominator
    rest = tenths - whole
    rounded = whole + 1 if rest >= Fraction(1, 2) else whole
    return (Decimal(rounded) / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
