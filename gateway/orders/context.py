"""What a check is given (the policy, the clock's reading, the override redeemer, the
open-items cache) and what it answers: shared by the check, re-evaluation and the sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from gateway.customers.items_cache import OpenItemsCache
from gateway.orders.schemas import CheckIn
from gateway.recorder.record import CheckInputs
from policies import Override, OverrideRejected, Policy


class OverrideRedeemer(Protocol):
    """Verifies a token for this order and, if valid, uses it up (same transaction)."""

    def redeem(
        self, conn: Connection, token: str, order: CheckIn, amount: Decimal, now: datetime
    ) -> Override | OverrideRejected:
        """The override, or why the token was rejected (`policies.apply_override`
        decides what either does to the decision)."""
        ...

    def order_changed(
        self, conn: Connection, erp: str, order_id: str, amount: Decimal, now: datetime
    ) -> None:
        """A higher revision arrived: requests with outdated figures are voided."""
        ...


@dataclass(frozen=True)
class CheckContext:
    policy: Policy
    timezone: ZoneInfo
    now: datetime
    overrides: OverrideRedeemer | None = None
    items: OpenItemsCache | None = None


@dataclass(frozen=True)
class CheckResult:
    body: bytes  # the stored answer, served byte for byte on replay
    replayed: bool
    outcome: str
    reasons: tuple[str, ...]
    decision_id: str
    balance_age_seconds: float | None = None
    inputs: CheckInputs | None = None  # what it was decided on (shadow mode replays it)
