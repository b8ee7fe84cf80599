"""The simulation's report, aggregated one replayed check at a time.

Memory stays bounded by the number of customers and grades (never by the number of
checks): counts and sums, a few samples, per-customer counters. Amounts are summed
in the FX base currency; one whose currency has no rate is counted in `unconverted`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from policies.model import Grade
from policies.money import FxRates, UnsupportedCurrencyError, quantize
from policies.simulation import AFTERMATH_KINDS, Aftermath, Change, late_bucket

FLIPS = ("release_to_hold", "hold_to_release")
SAMPLES = 20
TOP_CUSTOMERS = 20


def _tally() -> dict[str, Any]:
    return {"count": 0, "amount": Decimal(0)}


@dataclass
class _Customer:
    release_to_hold: int = 0
    hold_to_release: int = 0
    amount_to_hold: Decimal = Decimal(0)
    amount_to_release: Decimal = Decimal(0)


@dataclass
class Report:
    fx: FxRates
    directions: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)
    by_reason_direction: dict[str, Counter[str]] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(FLIPS, Decimal(0)))
    overridden: dict[str, Any] = field(
        default_factory=lambda: {"count": 0, "would_hold": 0, "would_release": 0}
    )
    by_grade: dict[str, Counter[str]] = field(default_factory=dict)
    customers: dict[str, _Customer] = field(default_factory=dict)
    outcomes: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {d: {k: _tally() for k in AFTERMATH_KINDS} for d in FLIPS}
    )
    samples: list[dict[str, Any]] = field(default_factory=list)
    differences: list[dict[str, Any]] = field(default_factory=list)
    unconverted: int = 0
    not_replayed: list[dict[str, str]] = field(default_factory=list)
    not_replayed_count: int = 0

    def unreplayable(self, decision_id: str, cause: str) -> None:
        """A record that could not be decided again (an input missing or unreadable)."""
        self.not_replayed_count += 1
        if len(self.not_replayed) < SAMPLES:
            self.not_replayed.append({"decision_id": decision_id, "cause": cause})

    def add(self, change: Change, after: Aftermath | None = None) -> None:
        direction = change.direction
        self.directions[direction] += 1
        grade = _grade(change)
        self.by_grade.setdefault(grade, Counter())["replayed"] += 1
        if direction == "overridden":
            self.overridden["count"] += 1
            self.overridden["would_" + change.after[0]] += 1
            return
        if direction == "unchanged":
            return
        if len(self.differences) < SAMPLES:
            self.differences.append(sample(change))
        if direction not in FLIPS:
            return
        self.by_grade[grade][direction] += 1
        old, new = set(change.before[1]), set(change.after[1])
        for code in sorted(old ^ new):
            self.by_reason[code] += 1
            way = "appears" if code in new else "disappears"
            self.by_reason_direction.setdefault(code, Counter())[way] += 1
        amount = self._base(change)
        self.amounts[direction] += amount
        customer = self.customers.setdefault(change.recorded.customer_id, _Customer())
        if direction == "release_to_hold":
            customer.release_to_hold += 1
            customer.amount_to_hold += amount
        else:
            customer.hold_to_release += 1
            customer.amount_to_release += amount
        if len(self.samples) < SAMPLES:
            self.samples.append(sample(change))
        if after is not None:
            self._aftermath(direction, after, amount)

    def _base(self, change: Change) -> Decimal:
        try:
            return self.fx.convert(change.amount, change.currency, self.fx.base)
        except UnsupportedCurrencyError:
            self.unconverted += 1
            return Decimal(0)

    def _aftermath(self, direction: str, after: Aftermath, amount: Decimal) -> None:
        kinds = self.outcomes[direction]
        names = [after.kind, "invoiced"] if after.invoiced else [after.kind]
        for name in names:
            kinds[name]["count"] += 1
            kinds[name]["amount"] += amount
        if after.kind == "paid_late":
            days = kinds["paid_late"].setdefault("days_late", Counter())
            days[late_bucket(after.days_late)] += 1

    def as_json(self) -> dict[str, Any]:
        base = self.fx.base

        def money(amount: Decimal) -> str:
            return str(quantize(amount, base))

        top = sorted(
            self.customers.items(),
            key=lambda kv: (-(kv[1].release_to_hold + kv[1].hold_to_release), kv[0]),
        )[:TOP_CUSTOMERS]
        return {
            "replayed": sum(self.directions.values()),
            "unchanged": self.directions["unchanged"],
            "release_to_hold": self.directions["release_to_hold"],
            "hold_to_release": self.directions["hold_to_release"],
            "reasons_changed": self.directions["reasons_changed"],
            "by_reason": dict(sorted(self.by_reason.items())),
            "by_reason_direction": {
                code: {"appears": c["appears"], "disappears": c["disappears"]}
                for code, c in sorted(self.by_reason_direction.items())
            },
            "currency": base,
            "amount_to_hold": money(self.amounts["release_to_hold"]),
            "amount_to_release": money(self.amounts["hold_to_release"]),
            "samples": self.samples,
            "overridden": dict(self.overridden),
            "outcomes": {
                direction: {
                    kind: {
                        **{k: v for k, v in t.items() if k not in ("amount", "days_late")},
                        "amount": money(t["amount"]),
                        **({"days_late": dict(t["days_late"])} if "days_late" in t else {}),
                    }
                    for kind, t in kinds.items()
                }
                for direction, kinds in sorted(self.outcomes.items())
            },
            "by_grade": {
                g: {k: counts[k] for k in ("replayed", *FLIPS)}
                for g, counts in sorted(self.by_grade.items())
            },
            "top_customers": [
                {
                    "customer_id": cid,
                    "release_to_hold": c.release_to_hold,
                    "hold_to_release": c.hold_to_release,
                    "amount_to_hold": money(c.amount_to_hold),
                    "amount_to_release": money(c.amount_to_release),
                }
                for cid, c in top
            ],
            "unconverted_amounts": self.unconverted,
            "unreplayable": self.not_replayed_count,
            "unreplayable_samples": self.not_replayed,
        }


def _grade(change: Change) -> str:
    account = change.recorded.inputs.get("account")
    grade = getattr(account, "grade", None)
    return grade.value if isinstance(grade, Grade) else "unknown"


def sample(change: Change) -> dict[str, Any]:
    r = change.recorded
    (was, old), (now, new) = change.before, change.after
    return {
        "decision_id": r.decision_id,
        "erp": r.erp,
        "order_id": r.order_id,
        "revision": r.revision,
        "customer_id": r.customer_id,
        "grade": _grade(change),
        "amount": str(quantize(change.amount, change.currency)),
        "currency": change.currency,
        "decided_at": r.decided_at.isoformat(),
        "before": {"outcome": was, "reasons": list(old)},
        "after": {"outcome": now, "reasons": list(new)},
    }
