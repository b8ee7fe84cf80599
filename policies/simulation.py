"""Deciding a recorded check again, and what happened to an order afterwards.

A recorded check is the keyword arguments `evaluate` was given (all but `policy`)
and the override verdict its token got. Replaying it under a policy is
`evaluate(**inputs, policy=policy)` followed by the override rules: a rejected token
is rejected again (OVERRIDE_REJECTED stands beside the reasons), while a decision an
override released is replayed without it and reported apart ("overridden"): whether
another policy would have held it says nothing about the approval that released it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from policies.evaluate import evaluate
from policies.model import Decision, Outcome, Override, OverrideRejected, Policy
from policies.override import OverrideVerdict, apply_override
from policies.release import Watches, apply_controls


@dataclass(frozen=True, slots=True)
class Recorded:
    """One recorded check, as the simulation reads it back."""

    decision_id: str
    erp: str
    order_id: str
    revision: int
    customer_id: str
    decided_at: datetime
    outcome: Outcome
    reasons: tuple[str, ...]
    inputs: Mapping[str, Any]  # evaluate's keyword arguments, `policy` excepted
    verdict: OverrideVerdict = None
    watches: Watches | None = None  # what the customer's watches found (release.py)

    @property
    def overridden(self) -> bool:
        return isinstance(self.verdict, Override)


def redecide(
    inputs: Mapping[str, Any],
    verdict: OverrideVerdict,
    policy: Policy,
    watches: Watches | None = None,
) -> Decision:
    """The decision `policy` gives these inputs, with what the watches found; a valid
    override (a token's, or release validity's) is left out."""
    decision = evaluate(**inputs, policy=policy)
    if watches is not None:
        decision = apply_controls(decision, watches)
    if isinstance(verdict, OverrideRejected):
        decision = apply_override(decision, verdict)
    return decision


@dataclass(frozen=True, slots=True)
class Change:
    """A recorded check beside its replay."""

    recorded: Recorded
    replayed: Decision

    @property
    def before(self) -> tuple[str, tuple[str, ...]]:
        return self.recorded.outcome.value, self.recorded.reasons

    @property
    def after(self) -> tuple[str, tuple[str, ...]]:
        return self.replayed.outcome.value, tuple(str(r.code) for r in self.replayed.reasons)

    @property
    def direction(self) -> str:
        """unchanged | release_to_hold | hold_to_release | reasons_changed | overridden."""
        if self.recorded.overridden:
            return "overridden"
        (was, old), (now, new) = self.before, self.after
        if was != now:
            return f"{was}_to_{now}"
        return "unchanged" if old == new else "reasons_changed"

    @property
    def amount(self) -> Decimal:
        amount: Decimal = self.replayed.exposure.order_amount
        return amount

    @property
    def currency(self) -> str:
        return self.replayed.exposure.currency


def replay(recorded: Recorded, policy: Policy) -> Change:
    return Change(recorded, redecide(recorded.inputs, recorded.verdict, policy, recorded.watches))


# What the gateway later saw of an order: the invoices naming it in the open-item
# snapshots (first seen, gone from a snapshot), and whether it was cancelled.
@dataclass(frozen=True, slots=True)
class Sighting:
    due_date: date
    first_seen: datetime
    gone_at: datetime | None  # the snapshot it was first missing from; None: still open


@dataclass(frozen=True, slots=True)
class Aftermath:
    kind: str  # not_invoiced | cancelled | paid_on_time | paid_late | overdue_open | open_not_due
    days_late: int = 0

    @property
    def invoiced(self) -> bool:
        return self.kind not in ("not_invoiced", "cancelled")


def aftermath(sightings: Sequence[Sighting], cancelled: bool, today: date) -> Aftermath:
    """Paid when every invoice naming the order left the snapshots; on time when each
    left by its due date; overdue while one past due is still open."""
    if not sightings:
        return Aftermath("cancelled" if cancelled else "not_invoiced")
    still_open = [s for s in sightings if s.gone_at is None]
    if still_open:
        late = any(s.due_date < today for s in still_open)
        return Aftermath("overdue_open" if late else "open_not_due")
    days = max((s.gone_at.date() - s.due_date).days for s in sightings if s.gone_at)
    return Aftermath("paid_late", days) if days > 0 else Aftermath("paid_on_time")


AFTERMATH_KINDS = (
    "invoiced",
    "paid_on_time",
    "paid_late",
    "overdue_open",
    "open_not_due",
    "not_invoiced",
    "cancelled",
)
LATE_BUCKETS = ((30, "1-30"), (60, "31-60"), (90, "61-90"))


def late_bucket(days: int) -> str:
    return next((name for limit, name in LATE_BUCKETS if days <= limit), "over_90")
