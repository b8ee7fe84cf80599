"""The body of a credit group."""

from __future__ import annotations

from pydantic import Field

from gateway.schemas import CurrencyCode, Identifier, NonNegativeAmount, RequestModel

MAX_MEMBERS = 1000


class CreditGroupIn(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    credit_limit: NonNegativeAmount
    currency: CurrencyCode
    # Listed twice is 422 DUPLICATE_MEMBER; the schema says so.
    members: list[Identifier] = Field(
        max_length=MAX_MEMBERS, json_schema_extra={"uniqueItems": True}
    )
