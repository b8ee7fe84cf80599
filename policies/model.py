"""Frozen values that go into and come out of the decision core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from policies.fx import FxQuote
from policies.groups import GroupExposure
from policies.money import FxRates
from policies.reasons import ReasonCode, WarningCode


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Outcome(StrEnum):
    RELEASE = "release"
    HOLD = "hold"


class ItemKind(StrEnum):
    INVOICE = "invoice"
    NOTE = "note"
    PREPAYMENT = "prepayment"  # money received before delivery (款到发货)
    CREDIT_NOTE = "credit_note"


# Items that are owed to the customer: they lower exposure, are never overdue or aged.
CREDIT_KINDS = frozenset({ItemKind.PREPAYMENT, ItemKind.CREDIT_NOTE})


class Check(StrEnum):
    """The checks a policy can enable; the config lists them by these names."""

    CUSTOMER_BLOCKED = "customer_blocked"
    NO_CREDIT = "no_credit"
    CREDIT_LIMIT = "credit_limit"
    OVERDUE = "overdue"
    REVIEW_DATE = "review_date"
    ORDER_VALUE = "order_value"
    BALANCE_STALE = "balance_stale"
    NEAR_LIMIT = "near_limit"


class StaleAction(StrEnum):
    HOLD = "hold"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class Account:
    """A customer's credit master data, kept by finance."""

    customer_id: str
    credit_limit: Decimal
    currency: str
    grade: Grade
    payment_terms_days: int
    blocked: bool = False
    review_date: date | None = None


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An unpaid receivable, its amount already in the customer's credit currency."""

    item_id: str
    kind: ItemKind
    amount: Decimal
    due_date: date
    # A note receivable given for an invoice: its days past the invoice's term
    # (policies.terms.note_days_past_term), fixed when pushed; None ages it by maturity.
    days_past_term: int | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """What the customer owes and has reserved, as the gateway knows it."""

    items: tuple[OpenItem, ...]
    open_orders: Decimal  # reservations of the customer's other released orders
    as_of: datetime


@dataclass(frozen=True, slots=True)
class GradePolicy:
    overdue_tolerance_days: int = 0
    min_overdue_amount: Decimal = Decimal(0)
    max_order_value: Decimal | None = None
    # Whether a note past its invoice's term (beyond the tolerance) counts as overdue;
    # aging shows it either way (seed 004 §3.0).
    note_past_term_holds: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    grades: Mapping[Grade, GradePolicy]
    checks: frozenset[Check] = frozenset(Check)
    near_limit_ratio: Decimal = Decimal("0.9")
    stale_after: timedelta = timedelta(hours=24)
    stale_action: StaleAction = StaleAction.HOLD
    # How far ahead of the gateway's clock a balance snapshot may be dated (ERP clocks
    # drift); one dated further would outdate every real snapshot after it.
    max_clock_skew: timedelta = timedelta(minutes=5)
    fx: FxRates = field(default_factory=lambda: FxRates(base="EUR", rates={}))


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode | WarningCode
    message: str


@dataclass(frozen=True, slots=True)
class Exposure:
    currency: str
    credit_limit: Decimal
    open_items: Decimal
    open_orders: Decimal
    order_amount: Decimal
    total: Decimal
    available: Decimal
    over_limit: Decimal
    overdue_amount: Decimal
    oldest_overdue_days: int
    balance_as_of: datetime | None
    # A credit group member's check: the group's figures (None for others).
    group: GroupExposure | None = None
    # The rate the order's amount was converted at (None when it was not converted).
    fx: FxQuote | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """A valid override token: an approved unfreeze request releases this held order."""

    request_id: str
    approved_by: tuple[str, ...]
    # Set when a later revision stays released under the override's validity
    # (`policies.release.apply_validity`): until when, and up to which amount.
    valid_until: datetime | None = None
    max_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Remedy:
    """One change that would release a held order on its own (`policies.remedies`)."""

    kind: str  # reduce_order | pay_overdue | prepay
    amount: Decimal
    message: str
    items: tuple[str, ...] = ()  # pay_overdue: the item ids to pay, in order


@dataclass(frozen=True, slots=True)
class OverrideRejected:
    """An override token was given and is not valid; `cause` says why, to a person."""

    cause: str


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    exposure: Exposure
    override: Override | None = None  # set when a valid override released a hold
    remedies: tuple[Remedy, ...] = ()  # a hold's smallest single releasing changes

    @property
    def released(self) -> bool:
        return self.outcome is Outcome.RELEASE
