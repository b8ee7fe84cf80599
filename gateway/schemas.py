"""Field types shared by the API's request models (bounded, exact, explicit)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from policies.literals import PLAIN_DECIMAL, NotPlainAmount, plain_decimal
from policies.money import MAX_AMOUNT, fraction_digits, minor_units

# Ids appear in URL paths and logs: printable, no slash or whitespace, at most 64.
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
]
ERP_NAME_PATTERN = r"^[a-z][a-z0-9_\-]{0,31}$"
ErpName = Annotated[str, StringConstraints(pattern=ERP_NAME_PATTERN)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


# Strict: lax validation reads true as 1, "1e2" and 1e2 as 100, "yes" as true, and a
# datetime string at midnight or a Unix time as a date. Each is a client's bug.
WholeNumber = Annotated[int, Strict()]
"""A whole number: a JSON integer, never a boolean, a string or a fraction."""

StrictFlag = Annotated[bool, Strict()]
"""true or false, nothing else."""

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date_only(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_type", "must be a date, YYYY-MM-DD")


DateOnly = Annotated[date, BeforeValidator(_date_only)]
"""A calendar date written YYYY-MM-DD."""


def _in_utc(value: datetime) -> datetime:
    # An offset can carry a time off the calendar (9999-12-31T23:59:59-23:59 is in
    # year 10000 in UTC): refuse it here rather than overflow wherever it is compared.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_range", "is outside the calendar once converted to UTC"
        ) from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""A datetime with an offset, converted to UTC at the edge."""


def invalid_amount(message: str) -> PydanticCustomError:
    # Its own error type, so the handler answers INVALID_AMOUNT (gateway.error_handlers).
    return PydanticCustomError("invalid_amount", message)


def _plain_amount(value: object) -> Decimal:
    """Amounts in plain decimal notation only, as a string or a plain JSON number."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise invalid_amount('must be an amount: a decimal string like "12500.00"')
    try:
        amount = plain_decimal(value if isinstance(value, str) else str(value))
    except NotPlainAmount as exc:
        raise invalid_amount(str(exc)) from None
    if amount > MAX_AMOUNT:
        raise invalid_amount(f"must be at most {MAX_AMOUNT:,}")
    return amount


# What the OpenAPI schema says an amount is: exactly what `_plain_amount` takes.
_AMOUNT_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": PLAIN_DECIMAL, "examples": ["12500.00"]},
        {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)},
    ]
}
_Amount = Annotated[
    Decimal, BeforeValidator(_plain_amount), WithJsonSchema(_AMOUNT_SCHEMA, mode="validation")
]
# A positive amount, exact: JSON numbers are parsed as Decimal, strings too.
PositiveAmount = Annotated[_Amount, Field(gt=0)]
NonNegativeAmount = _Amount


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def check_precision(amount: Decimal, currency: str) -> None:
    """Raise ValueError if `amount` has more fraction digits than `currency` allows."""
    digits = minor_units(currency)
    if fraction_digits(amount) > digits:
        raise ValueError(f"{currency} amounts have at most {digits} decimal places")
