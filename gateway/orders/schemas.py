"""The check request (the ERP's question) as the contract defines it, and the shapes of
a decision's answer (`gateway.orders.figures`), declared for the routes that answer one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gateway.fx.schemas import RateOut
from gateway.schemas import (
    Absent,
    CurrencyCode,
    DateOnly,
    DecimalText,
    ErpName,
    Identifier,
    MomentText,
    PositiveAmount,
    RequestModel,
    ResponseModel,
    WholeNumber,
    integer_range,
)

TermsDays = Annotated[WholeNumber, Field(ge=0, le=3650), integer_range(0, 3650)]


class CheckIn(RequestModel):
    erp: ErpName
    order_id: Identifier
    revision: WholeNumber = Field(ge=0, le=2**31 - 1)
    customer_id: Identifier
    amount: PositiveAmount
    currency: CurrencyCode
    override_token: str | None = Field(default=None, min_length=1, max_length=2048)
    # The day whose exchange rates convert the amount (default: today in the business
    # time zone); see gateway.fx.
    order_date: DateOnly | None = None
    # DESIGN §3b: paid before shipment (款到发货): released unless the customer is
    # blocked, reserving nothing; and the order's own payment terms, held
    # (TERMS_EXCEED_APPROVED) when longer than the customer's approved ones.
    security: Literal["prepaid"] | None = None
    payment_terms_days: TermsDays | None = None


class ReasonOut(ResponseModel):
    """A reason or a warning: its stable code and a sentence with the figures."""

    code: str
    message: str


class GroupFiguresOut(ResponseModel):
    """A credit group member's group, in the group's currency (`group_json`)."""

    group_id: str
    credit_limit: DecimalText
    total: DecimalText
    available: DecimalText
    over_limit: DecimalText


class ExposureOut(ResponseModel):
    """The customer's figures in its credit currency (`exposure_json`)."""

    currency: str
    credit_limit: DecimalText
    open_items: DecimalText
    open_orders: DecimalText
    order_amount: DecimalText
    total: DecimalText
    available: DecimalText
    over_limit: DecimalText
    overdue_amount: DecimalText
    oldest_overdue_days: int
    balance_as_of: MomentText | None
    # Only for a credit group's member, and only when the amount was converted.
    group: GroupFiguresOut | Absent = None
    fx: RateOut | Absent = None  # the rate the amount was converted at


class RemedyOut(ResponseModel):
    kind: str
    amount: DecimalText
    message: str
    items: list[str] | Absent = None  # pay_overdue only: the items to pay


class OverrideOut(ResponseModel):
    """The approved unfreeze request a release stands on (`override_json`)."""

    request_id: str
    approved_by: list[str]
    valid_until: MomentText | Absent = None
    max_amount: DecimalText | Absent = None


class DecisionOut(ResponseModel):
    """A decision as a check answers it (the release of an unfreeze request answers one
    too). Keys may be left out: routes answering it set `response_model_exclude_unset`."""

    decision_id: str
    erp: str
    order_id: str
    revision: int
    customer_id: str
    outcome: Literal["release", "hold"]
    reasons: list[ReasonOut]
    warnings: list[ReasonOut]
    exposure: ExposureOut
    remedies: list[RemedyOut]
    override: OverrideOut | None
    decided_at: MomentText


class CancelOut(ResponseModel):
    erp: str
    order_id: str
    customer_id: str
    status: Literal["cancelled"]
    revision: int
    released_reservation: DecimalText
