"""What a check is given (the policy, the clock's reading, the override redeemer, the
open-items cache) and what it answers: shared by the check, re-evaluation and the sync."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from gateway.customers.items_cache import OpenItemsCache
from gateway.db.fast import Read
from gateway.fx.cache import FxCache
from gateway.orders.schemas import CheckIn
from gateway.recorder.record import CheckInputs
from policies import Exposure, Override, OverrideRejected, Policy
from policies.release import OverrideRelease, Validity, Watches


class OverrideRedeemer(Protocol):
    """Verifies a token for this order and, if valid, uses it up (same transaction)."""

    def redeem(
        self,
        conn: Connection,
        token: str,
        order: CheckIn,
        amount: Decimal,
        now: datetime,
        overdue: Decimal | None = None,
    ) -> Override | OverrideRejected:
        """The override, or why the token was rejected (`policies.apply_override`
        decides what either does to the decision)."""
        ...

    def order_changed(
        self, conn: Connection, erp: str, order_id: str, amount: Decimal, now: datetime
    ) -> None:
        """A higher revision arrived: requests with outdated figures are voided."""
        ...


class CreditWatch(Protocol):
    """What earlier releases left to watch (`gateway.unfreeze.watch`): a payment in
    transit, a repayment plan, an order's override release (release validity)."""

    @property
    def validity(self) -> Validity:
        """Release validity's days and deviation."""
        ...

    def watches(
        self,
        conn: Connection,
        customer_id: str,
        exposure: Exposure,
        now: datetime,
        rows: Sequence[Any] | None = None,
    ) -> Watches:
        """The customer's open watches, judged against this check's figures; `rows`:
        the open watches as already read (`open_watches_read`), else read here."""
        ...

    def open_watches_read(self, customer_id: str) -> Read:
        """The statement that reads the customer's open watches, to be sent with the
        check's other reads (gateway.orders.reads.read_ahead)."""
        ...

    def override_release(self, conn: Connection, erp: str, order_id: str) -> OverrideRelease | None:
        """The order's last release by an override, if any."""
        ...


class OutsideGroups:
    """The customers this process last checked outside any credit group: a hint of
    which checks `gateway.orders.reads.read_ahead` may serve (PostgreSQL)."""

    def __init__(self, max_customers: int = 50_000) -> None:
        self._max = max_customers
        self._seen: dict[str, None] = {}
        self._lock = threading.Lock()  # PostgreSQL checks run on several threads

    def __contains__(self, customer_id: str) -> bool:
        return customer_id in self._seen

    def note(self, customer_id: str, in_group: bool) -> None:
        if in_group:
            self._seen.pop(customer_id, None)
            return
        if customer_id in self._seen:
            return
        with self._lock:
            if len(self._seen) >= self._max:
                del self._seen[next(iter(self._seen))]  # the oldest entry
            self._seen[customer_id] = None


@dataclass(frozen=True)
class CheckContext:
    policy: Policy
    timezone: ZoneInfo
    now: datetime
    overrides: OverrideRedeemer | None = None
    items: OpenItemsCache | None = None
    fx_rates: FxCache | None = None
    watch: CreditWatch | None = None
    # PostgreSQL: who may be read ahead in one round trip (gateway.orders.reads).
    outside_groups: OutsideGroups | None = None


@dataclass(frozen=True)
class CheckResult:
    body: bytes  # the stored answer, served byte for byte on replay
    replayed: bool
    outcome: str
    reasons: tuple[str, ...]
    decision_id: str
    balance_age_seconds: float | None = None
    inputs: CheckInputs | None = None  # what it was decided on (shadow mode replays it)
    # The answer `body` serializes, as JSON values (`gateway.orders.answer.CheckOut`
    # describes it): the ERP-shaped endpoints answer in their own words from it.
    answer: Mapping[str, Any] = field(default_factory=dict)
