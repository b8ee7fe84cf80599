"""The committee's decisions, pure: when a stop-shipment lifts, the CSV's summary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from policies.committee import DECISION_KINDS, block_lifts, summarize


@pytest.mark.parametrize(
    ("active", "overdue", "lifts"),
    [
        (1, Decimal("0"), True),
        (2, Decimal("0.00"), True),
        (1, Decimal("-5.00"), True),  # credit notes beyond the overdue: nothing owed
        (1, Decimal("0.01"), False),
        (0, Decimal("0"), False),  # no stop, nothing to lift
    ],
)
def test_a_stop_lifts_once_nothing_is_overdue(active: int, overdue: Decimal, lifts: bool) -> None:
    assert block_lifts(active, overdue) is lifts


@pytest.mark.parametrize(
    ("decisions", "cell"),
    [
        ([], ""),
        ([("stop_shipments", None)], "stop_shipments"),
        (
            [("term_change", None), ("extension", "2026-12-31")],
            "term_change; extension until 2026-12-31",
        ),
    ],
)
def test_summary(decisions: list[tuple[str, str | None]], cell: str) -> None:
    assert summarize(decisions) == cell


def test_the_kinds() -> None:
    assert DECISION_KINDS == ("stop_shipments", "term_change", "extension")
