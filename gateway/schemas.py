"""Field types shared by the API's request models (bounded, exact, explicit)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from policies.money import MAX_AMOUNT, fraction_digits, minor_units

# Ids appear in URL paths and logs: printable, no slash or whitespace, at most 64.
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
]
ERP_NAME_PATTERN = r"^[a-z][a-z0-9_\-]{0,31}$"
ErpName = Annotated[str, StringConstraints(pattern=ERP_NAME_PATTERN)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _not_true_or_false(value: object) -> object:
    # Lax validation reads true as 1: a count sent as a boolean is a client's bug.
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    return value


# A whole number (a JSON number, or a string of digits as some ERPs send), never a boolean.
WholeNumber = Annotated[int, BeforeValidator(_not_true_or_false)]


def _bounded(value: Decimal) -> Decimal:
    if value > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT:,}")
    return value


# A positive amount, exact: JSON numbers are parsed as Decimal, strings too.
PositiveAmount = Annotated[Decimal, Field(gt=0, allow_inf_nan=False), AfterValidator(_bounded)]
NonNegativeAmount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False), AfterValidator(_bounded)]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def check_precision(amount: Decimal, currency: str) -> None:
    """Raise ValueError if `amount` has more fraction digits than `currency` allows."""
    digits = minor_units(currency)
    if fraction_digits(amount) > digits:
        raise ValueError(f"{currency} amounts have at most {digits} decimal places")
