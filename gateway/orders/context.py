"""What a check is given (the policy, the clock's reading, the override redeemer, the
open-items cache) and what it answers: shared by the check, re-evaluation and the sync."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from gateway.customers.items_cache import OpenItemsCache
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
        self, conn: Connection, customer_id: str, exposure: Exposure, now: datetime
    ) -> Watches:
        """The customer's open watches, judged against this check's figures."""
        ...

    def override_release(self, conn: Connection, erp: str, order_id: str) -> OverrideRelease | None:
        """The order's last release by an override, if any."""
        ...


@dataclass(frozen=True)
class CheckContext:
    policy: Policy
    timezone: ZoneInfo
    now: datetime
    overrides: OverrideRedeemer | None = None
    items: OpenItemsCache | None = None
    fx_rates: FxCache | None = None
    watch: CreditWatch | None = None


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
