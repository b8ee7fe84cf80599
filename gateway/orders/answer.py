"""The check's answer as the contract documents it (docs/api.md, `POST /v1/orders/check`).

For the OpenAPI schema only: the answer is built once (`gateway.orders.figures`), stored,
and served as stored, byte for byte, on a replay too; nothing serializes it through
these models. Fields the contract may add to are open (no additionalProperties: false);
a field present only sometimes is optional and never null (`SkipJsonSchema[None]`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

# A decimal string in the credit currency's minor unit ("12500.00", "162" for JPY).
Money = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", examples=["12500.00"])]
UtcMoment = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]


class CheckReason(BaseModel):
    code: str
    message: str


class CheckGroupFigures(BaseModel):
    """The credit group's figures, in the group's currency."""

    group_id: str
    credit_limit: Money
    total: Money
    available: Money
    over_limit: Money


class CheckFxQuote(BaseModel):
    """The rate the order's amount converted at: as quoted, and its day (null: the
    configured rate)."""

    rate: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?$")]
    rate_date: Day | None


class CheckExposure(BaseModel):
    """In the credit currency (an unknown customer's: the order's)."""

    currency: str
    credit_limit: Money
    open_items: Money
    open_orders: Money
    order_amount: Money
    total: Money
    available: Money
    over_limit: Money
    overdue_amount: Money
    oldest_overdue_days: int
    balance_as_of: UtcMoment | None
    # Only for a credit group's member, and only when the amount was converted.
    group: CheckGroupFigures | SkipJsonSchema[None] = None
    fx: CheckFxQuote | SkipJsonSchema[None] = None


class CheckRemedy(BaseModel):
    kind: Literal["reduce_order", "pay_overdue", "prepay"]
    amount: Money
    message: str
    # pay_overdue only: the item ids to pay.
    items: list[str] | SkipJsonSchema[None] = None


class CheckOverride(BaseModel):
    """Who released a hold (a token's approvers, or the credit controller's request);
    under release validity, until when and up to what amount."""

    request_id: str
    approved_by: list[str]
    valid_until: UtcMoment | SkipJsonSchema[None] = None
    max_amount: Money | SkipJsonSchema[None] = None


class CheckOut(BaseModel):
    """Release or hold, with the figures it was decided on."""

    decision_id: Annotated[str, Field(json_schema_extra={"format": "uuid"})]
    erp: str
    order_id: str
    revision: int
    customer_id: str
    outcome: Literal["release", "hold"]
    reasons: list[CheckReason]
    warnings: list[CheckReason]
    exposure: CheckExposure
    # Answers stored before remedies existed carry none (a replay serves them as stored).
    remedies: list[CheckRemedy] = []
    override: CheckOverride | None
    decided_at: UtcMoment
