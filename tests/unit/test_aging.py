"""Aging buckets at their edges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from policies import ItemKind, OpenItem
from policies.aging import aging

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
        (181, "over 180"),
        (2000, "over 180"),
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
    assert list(result) == ["current", "1-30", "31-60", "61-90", "91-180", "over 180"]
    assert sum(result.values()) == sum(Decimal(n) for n in range(1, 12))
