"""Micro-benchmark of the pure decision function: microseconds per evaluation.

A customer with 20 open items (some overdue), every check enabled, timed with
timeit over many runs; the minimum of the repeats is reported (the least noisy).
"""

from __future__ import annotations

import timeit
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from policies import Account, Balance, Grade, GradePolicy, ItemKind, OpenItem, Policy, evaluate

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
POLICY = Policy(grades={g: GradePolicy(7, Decimal("100"), Decimal("500000")) for g in Grade})
ACCOUNT = Account("C1", Decimal("250000.00"), "EUR", Grade.B, 30)
BALANCE = Balance(
    items=tuple(
        OpenItem(f"I{n}", ItemKind.INVOICE, Decimal("1234.56"), TODAY - timedelta(days=n * 3))
        for n in range(20)
    ),
    open_orders=Decimal("50000.00"),
    as_of=NOW - timedelta(minutes=5),
)


def one() -> None:
    evaluate(
        order_amount=Decimal("1500.00"),
        currency="EUR",
        account=ACCOUNT,
        balance=BALANCE,
        policy=POLICY,
        now=NOW,
        today=TODAY,
    )


def measure(number: int = 20_000, repeat: int = 5) -> float:
    """Microseconds per evaluation (best of `repeat`)."""
    return min(timeit.repeat(one, number=number, repeat=repeat)) / number * 1e6


if __name__ == "__main__":
    print(f"evaluate: {measure():.2f} us per call")
