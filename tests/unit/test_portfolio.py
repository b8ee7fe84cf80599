"""The portfolio's sums, DSO and lists, with plain values; properties: the portfolio's
figures are the sums of the customers' own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.aging import LABELS
from policies.dso import dso_days
from policies.portfolio import (
    CustomerFigures,
    HeldOrder,
    is_near_limit,
    portfolio,
    portfolio_dso,
    utilization,
)

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
D = Decimal


def buckets(**values: str) -> dict[str, Decimal]:
    out = {label: D(0) for label in LABELS}
    for key, value in values.items():
        out[key.replace("_to_", "-").removeprefix("d")] = D(value)
    return out


def figures(
    cid: str,
    limit: str = "1000",
    exposure: str = "0",
    receivables: dict[str, Decimal] | None = None,
    notes: dict[str, Decimal] | None = None,
    sales: dict[str, Decimal] | None = None,
    intercompany: bool = False,
) -> CustomerFigures:
    return CustomerFigures(
        cid,
        f"Customer {cid}",
        D(limit),
        D(exposure),
        receivables or buckets(),
        notes or buckets(),
        sales or {},
        intercompany,
    )


SALES = {"2026-08": D("100000"), "2026-09": D("100000"), "2026-10": D("100000")}


def test_empty_portfolio() -> None:
    p = portfolio([], [], TODAY, NOW)
    assert (p.customers, p.credit_limit_total, p.exposure_total, p.dso_days) == (0, 0, 0, None)
    assert (p.held_count, p.held_amount, p.held_oldest_hours) == (0, 0, None)
    assert p.total == {label: 0 for label in LABELS}
    assert p.over_180 == p.near_limit == p.top_exposures == ()


def test_sums_lists_and_holds() -> None:
    a = figures("A", "1000", "950", buckets(current="100", over_180="50"), buckets(d61_to_90="7"))
    b = figures("B", "2000", "500", buckets(over_180="80"))
    c = figures("C", "0", "10")  # no limit and exposure: near its limit
    d = figures("D", "500", "0")
    held = [
        HeldOrder(D("10"), NOW - timedelta(hours=5)),
        HeldOrder(D("2.5"), NOW - timedelta(hours=30, minutes=30)),
    ]
    p = portfolio([d, c, b, a], held, TODAY, NOW)
    assert p.customers == 4
    assert p.credit_limit_total == D("3500")
    assert p.exposure_total == D("1460")
    assert p.receivables["over_180"] == D("130")
    assert p.notes["61-90"] == D("7")
    assert p.total["current"] == D("100")
    assert [r.customer_id for r in p.over_180] == ["B", "A"]
    assert [r.amount for r in p.over_180] == [D("80"), D("50")]
    # Exposure without any limit is the farthest over: first.
    assert [r.customer_id for r in p.near_limit] == ["C", "A"]
    assert p.near_limit[1].utilization == D("95.0")
    assert p.near_limit[0].utilization is None
    assert [r.customer_id for r in p.top_exposures] == ["A", "B", "C"]  # D has none
    assert (p.held_count, p.held_amount, p.held_oldest_hours) == (2, D("12.5"), D("30.5"))


@pytest.mark.parametrize(
    ("limit", "exposure", "near"),
    [("1000", "899.99", False), ("1000", "900", True), ("1000", "1500", True), ("0", "0", False)],
)
def test_near_limit_edge(limit: str, exposure: str, near: bool) -> None:
    assert is_near_limit(figures("A", limit, exposure)) is near


def test_utilization() -> None:
    assert utilization(D("1"), D("3")) == D("33.3")
    assert utilization(D("1"), D("0")) is None


def test_dso_leaves_intercompany_out() -> None:
    outside = figures("A", receivables=buckets(current="113000"), sales=SALES)
    group = figures("G", receivables=buckets(current="999999"), sales=SALES, intercompany=True)
    # 113,000 / (100,000 x 1.13) x 30 = 30.0: the group company's figures play no part.
    assert portfolio_dso([outside, group], TODAY) == D("30.0")
    assert portfolio_dso([group], TODAY) is None


def test_top_is_capped() -> None:
    many = [figures(f"C{n:02d}", exposure=str(n + 1)) for n in range(15)]
    p = portfolio(many, [], TODAY, NOW, top=10)
    assert [r.customer_id for r in p.top_exposures][:2] == ["C14", "C13"]
    assert len(p.top_exposures) == 10


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
bucket_maps = st.fixed_dictionaries({label: amounts for label in LABELS})
customers = st.lists(
    st.builds(
        CustomerFigures,
        customer_id=st.text("ABC123", min_size=1, max_size=6),
        name=st.just("x"),
        credit_limit=amounts,
        exposure=amounts,
        receivables=bucket_maps,
        notes=bucket_maps,
        sales=st.fixed_dictionaries({m: amounts for m in SALES}),
        intercompany=st.booleans(),
    ),
    max_size=8,
)


@given(customers)
def test_sums_equal_the_customers_figures(listed: list[CustomerFigures]) -> None:
    p = portfolio(listed, [], TODAY, NOW)
    assert p.credit_limit_total == sum((c.credit_limit for c in listed), D(0))
    assert p.exposure_total == sum((c.exposure for c in listed), D(0))
    for label in LABELS:
        r = sum((c.receivables[label] for c in listed), D(0))
        n = sum((c.notes[label] for c in listed), D(0))
        assert (p.receivables[label], p.notes[label], p.total[label]) == (r, n, r + n)
    assert sum((r.amount for r in p.over_180), D(0)) == p.total["over_180"]
    outside = [c for c in listed if not c.intercompany]
    sales = {m: sum((c.sales[m] for c in outside), D(0)) for m in SALES}
    assert p.dso_days == dso_days(sum((c.balance for c in outside), D(0)), sales, TODAY)
    assert len(p.near_limit) == sum(1 for c in listed if is_near_limit(c))


@given(st.lists(st.tuples(amounts, st.integers(0, 10**6)), max_size=10))
def test_held_figures(holds: list[tuple[Decimal, int]]) -> None:
    held = [HeldOrder(a, NOW - timedelta(seconds=s)) for a, s in holds]
    p = portfolio([], held, TODAY, NOW)
    assert p.held_count == len(holds)
    assert p.held_amount == sum((a for a, _ in holds), D(0))
    if holds:
        assert p.held_oldest_hours == (D(max(s for _, s in holds)) / 3600).quantize(D("0.1"))


def test_held_by_age_bands() -> None:
    from policies.portfolio import held_by_age

    held = [
        HeldOrder(D("1"), NOW - timedelta(hours=1)),
        HeldOrder(D("2"), NOW - timedelta(hours=4)),
        HeldOrder(D("3"), NOW - timedelta(hours=30)),
        HeldOrder(D("4"), NOW - timedelta(days=5)),
        HeldOrder(D("5"), NOW - timedelta(days=4)),
    ]
    assert held_by_age(held, NOW) == [
        ("<4h", 1, D("1")),
        ("4-24h", 1, D("2")),
        ("1-3d", 1, D("3")),
        (">3d", 2, D("9")),
    ]


def test_dso_trend_by_month() -> None:
    from policies.portfolio import dso_trend

    sales = {"2026-05": D("1000"), "2026-06": D("2000"), "2026-07": D("3000")}
    c = figures("A", receivables=buckets(current="113"), sales=sales)
    trend = dict(dso_trend([c], TODAY, 6))
    assert list(trend) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    # July: (1,000 + 2,000 + 3,000) / 3 x 1.13 = 2,260 a month; 113 / 2,260 x 30 = 1.5
    assert trend["2026-07"] == D("1.5")
    assert trend["2026-10"] is None  # no sales in Aug-Oct
