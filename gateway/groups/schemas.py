"""The body of a credit group, and the group as answered with its figures."""

from __future__ import annotations

from pydantic import Field

from gateway.schemas import (
    CurrencyCode,
    DayText,
    DecimalText,
    Identifier,
    MomentText,
    NonNegativeAmount,
    RequestModel,
    ResponseModel,
)

MAX_MEMBERS = 1000


class CreditGroupIn(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    credit_limit: NonNegativeAmount
    currency: CurrencyCode
    # Listed twice is 422 DUPLICATE_MEMBER; the schema says so.
    members: list[Identifier] = Field(
        max_length=MAX_MEMBERS, json_schema_extra={"uniqueItems": True}
    )


class GroupExposureOut(ResponseModel):
    currency: str
    credit_limit: DecimalText
    open_items: DecimalText
    open_orders: DecimalText
    total: DecimalText
    available: DecimalText
    over_limit: DecimalText
    as_of: DayText


class MemberExposureOut(ResponseModel):
    customer_id: str
    currency: str  # the member's credit currency: open items and orders are in it
    open_items: DecimalText
    open_orders: DecimalText
    total_in_group_currency: DecimalText


class CreditGroupOut(ResponseModel):
    """The group and its figures (`service.group_view`): at the top as a check's
    exposure.group has them, and again in `exposure` with their currency and day."""

    group_id: str
    name: str
    credit_limit: DecimalText
    currency: str
    members: list[str]
    open_items: DecimalText
    open_orders: DecimalText
    total: DecimalText
    available: DecimalText
    over_limit: DecimalText
    exposure: GroupExposureOut
    member_exposure: list[MemberExposureOut]
    updated_at: MomentText
