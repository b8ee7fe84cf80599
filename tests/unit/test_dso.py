"""DSO as the seed computes it: table, then a property against exact fractions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.dso import complete_months, dso_days

TODAY = date(2026, 11, 22)


def test_complete_months() -> None:
    assert complete_months(TODAY) == ("2026-10", "2026-09", "2026-08")
    assert complete_months(date(2027, 2, 1)) == ("2027-01", "2026-12", "2026-11")


@pytest.mark.parametrize(
    ("balance", "sales", "vat", "dso"),
    [
        # 113,000 over (100,000 x 1.13) x 30 = 30.0 days.
        ("113000", {"2026-10": "100000", "2026-09": "100000", "2026-08": "100000"}, "1.13", "30.0"),
        ("0", {"2026-10": "100000"}, "1.13", "0.0"),
        # One month sold: the others count as none; average 100,000/3.
        ("10000", {"2026-10": "100000"}, "1.00", "9.0"),
        # The current month and older months do not count.
        ("10000", {"2026-11": "5", "2026-07": "5"}, "1.13", None),
        ("10000", {}, "1.13", None),
        # Rounded half up to one decimal: 1 / (3 x 1.17 / 3) x 30 = 25.641... -> 25.6
        ("1", {"2026-10": "1", "2026-09": "1", "2026-08": "1"}, "1.17", "25.6"),
        ("1", {"2026-10": "80", "2026-09": "80", "2026-08": "80"}, "1", "0.4"),  # 0.375
    ],
)
def test_dso_table(balance: str, sales: dict[str, str], vat: str, dso: str | None) -> None:
    got = dso_days(D(balance), {k: D(v) for k, v in sales.items()}, TODAY, D(vat))
    assert got == (D(dso) if dso is not None else None)
    if got is not None:
        assert got.as_tuple().exponent == -1


def slow_dso(balance: D, sales: dict[str, D], today: date, vat: D) -> D | None:
    y, m = today.year, today.month
    total = Fraction(0)
    for _ in range(3):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        total += Fraction(sales.get(f"{y:04d}-{m:02d}", D(0)))
    if total == 0:
        return None
    average = total / 3
    value = Fraction(balance) / (average * Fraction(vat)) * 30
    # Half up to tenths, by comparing with every candidate's midpoint.
    tenths = int(value * 10)
    while Fraction(tenths + 1, 10) - Fraction(1, 20) <= value:
        tenths += 1
    while Fraction(tenths, 10) - Fraction(1, 20) > value:
        tenths -= 1
    return D(tenths).scaleb(-1)


months = st.sampled_from(["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"])
money = st.decimals(min_value=D("0"), max_value=D("1e10"), places=2)


@given(
    money,
    st.dictionaries(months, money, max_size=5),
    st.decimals(min_value=D("1"), max_value=D("1.3"), places=2),
)
def test_dso_matches_exact_fractions(balance: D, sales: dict[str, D], vat: D) -> None:
    assert dso_days(balance, sales, TODAY, vat) == slow_dso(balance, sales, TODAY, vat)
