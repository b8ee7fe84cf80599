"""The body of a day's exchange rates, and the answers about them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

from gateway.schemas import (
    AMOUNT_MARK,
    BASE_CURRENCY_MARK,
    RATED_CURRENCY_MARK,
    DayText,
    DecimalText,
    RequestModel,
    ResponseModel,
    _positive_amount,
    amount_schema,
)

# Plain decimal notation has at most 6 decimals (policies.literals.PLAIN_DECIMAL).
RATE_DECIMALS = 6
_RATE_SCHEMA: dict[str, Any] = amount_schema(RATE_DECIMALS, positive=True)
del _RATE_SCHEMA[AMOUNT_MARK]  # a rate is no amount of a currency: no per-currency decimals

Rate = Annotated[
    Decimal,
    BeforeValidator(_positive_amount),
    WithJsonSchema(_RATE_SCHEMA, mode="validation"),
]
"""Units of a currency per 1 unit of the base: above zero, plain decimal notation."""

# The OpenAPI schema narrows these to the config's base, and to its rated currencies.
BaseCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(json_schema_extra={BASE_CURRENCY_MARK: True}),
]
RatedCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(json_schema_extra={RATED_CURRENCY_MARK: True}),
]


class FxRatesIn(RequestModel):
    base: BaseCode
    rates: dict[RatedCode, Rate] = Field(max_length=200)


class DayRatesOut(ResponseModel):
    """The rates put for a day (by currency, sorted), as stored."""

    date: DayText
    base: str
    rates: dict[str, DecimalText]


class RateOut(ResponseModel):
    """The rate a currency converts at, and the day it was set (null: the config's)."""

    rate: DecimalText
    rate_date: DayText | None


class RatesOnDayOut(ResponseModel):
    """The rate each configured currency converts at on the day."""

    date: DayText
    base: str
    rates: dict[str, RateOut]
