"""Field types shared by the API's request models (bounded, exact, explicit), and the
base and field types of the answers' models (`ResponseModel`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

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
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from policies.literals import (
    ExponentNumber,
    NotPlainAmount,
    amount_pattern,
    integral,
    number_value,
    plain_decimal,
)
from policies.money import MINOR_UNITS, fraction_digits, minor_units

CURRENCY_MARK = "x-currency"
# `gateway.openapi` narrows these to the FX base, and to the currencies rated against it.
BASE_CURRENCY_MARK = "x-fx-base"
RATED_CURRENCY_MARK = "x-fx-rated"
AMOUNT_MARK = "x-amount"

# Ids appear in URL paths and logs: printable, no slash or whitespace, at most 64.
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$"
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)
]
ERP_NAME_PATTERN = r"^[a-z][a-z0-9_\-]{0,31}$"
ErpName = Annotated[str, StringConstraints(pattern=ERP_NAME_PATTERN)]
CurrencyCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    # `gateway.openapi` replaces the pattern with the currencies the config converts.
    Field(json_schema_extra={CURRENCY_MARK: True}),
]


# Strict: lax validation reads true as 1, "1e2" and 1e2 as 100, "yes" as true, and a
# datetime string at midnight or a Unix time as a date. Each is a client's bug.
WholeNumber = Annotated[int, BeforeValidator(integral), Strict()]
"""A whole number: a JSON integer (2.0 too), never a boolean, a string or a fraction."""


def integer_range(low: int, high: int) -> WithJsonSchema:
    """A bounded WholeNumber's JSON Schema, for where it is optional: pydantic writes a
    union member's bounds as the non-standard ge/le, which no client reads."""
    return WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})


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


INVALID_AMOUNT = "invalid_amount"


def invalid_amount(message: str) -> PydanticCustomError:
    return PydanticCustomError(INVALID_AMOUNT, message)


def validation_code(error_types: Iterable[str]) -> str:
    """The answer's code for a failed validation: INVALID_AMOUNT if an amount broke its
    rules (an ERP that sends 1e3 or "1,000.00" must learn the amount's form), else
    VALIDATION_ERROR. For the routes' handler and the ERP-shaped endpoints alike."""
    return "INVALID_AMOUNT" if INVALID_AMOUNT in error_types else "VALIDATION_ERROR"


def _amount(value: object, *, positive: bool) -> Decimal:
    """Amounts in plain decimal notation only, as a string or a plain JSON number."""
    if isinstance(value, ExponentNumber):  # 1e3 as a JSON number: say why, as for "1e3"
        value = value.text
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise invalid_amount('must be an amount: a decimal string like "12500.00"')
    try:
        amount = plain_decimal(value if isinstance(value, str) else str(value))
    except NotPlainAmount as exc:
        raise invalid_amount(str(exc)) from None
    if not isinstance(value, str):
        # A JSON number is its value (JSON Schema's multipleOf): 5.0 JPY is 5. A string's
        # decimals count as written ("5.0" JPY has one too many), as its pattern says.
        amount = number_value(amount)
    if positive and not amount:
        raise invalid_amount("must be greater than 0")
    return amount


def _positive_amount(value: object) -> Decimal:
    return _amount(value, positive=True)


def _any_amount(value: object) -> Decimal:
    return _amount(value, positive=False)


def amount_schema(decimals: int, *, positive: bool) -> dict[str, Any]:
    """An amount with at most `decimals` decimals, as the OpenAPI schema describes it:
    a plain decimal string, or a JSON number. `gateway.openapi` narrows the decimals to
    the currency's where an object carries one."""
    number: dict[str, Any] = {"type": "integer" if decimals == 0 else "number"}
    if decimals:
        number["multipleOf"] = float(Decimal(1).scaleb(-decimals))
    number["minimum"] = float(Decimal(1).scaleb(-decimals)) if positive else 0
    number["maximum"] = 999_999_999_999
    string = {"type": "string", "pattern": amount_pattern(decimals, positive=positive)}
    return {"anyOf": [string, number], AMOUNT_MARK: "positive" if positive else "any"}


_MAX_DECIMALS = max(MINOR_UNITS.values())  # where the currency is not in the same object
PositiveAmount = Annotated[
    Decimal,
    BeforeValidator(_positive_amount),
    WithJsonSchema(amount_schema(_MAX_DECIMALS, positive=True), mode="validation"),
]
"""An amount above zero, exact (JSON numbers are parsed as Decimal, strings too)."""

NonNegativeAmount = Annotated[
    Decimal,
    BeforeValidator(_any_amount),
    WithJsonSchema(amount_schema(_MAX_DECIMALS, positive=False), mode="validation"),
]
"""An amount of zero or more, exact."""


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def _no_null_defaults(schema: dict[str, Any]) -> None:
    # An `Absent` key's default (None) is how pydantic knows it may be left out, not a
    # value the answer carries: the schema does not offer it.
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class ResponseModel(BaseModel):
    """Base of every answer's model (a route's `response_model`): exactly the keys the
    route answers, in its order. An unknown key is the route's bug, so it is an error
    (the tests see it), never dropped silently. Routes whose answer leaves a key out
    (rather than null) set `response_model_exclude_unset=True` and declare it `Absent`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_defaults)


# Answers carry what the routes wrote as text, passed through unchanged: a type that
# parsed them (Decimal, date, datetime) would write them back in its own way
# ("1E+2", "...Z"), and the answer would change.
DECIMAL_TEXT_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
DecimalText = Annotated[str, StringConstraints(pattern=DECIMAL_TEXT_PATTERN)]
"""An amount, a rate or a percentage as a plain decimal string ("12500.00")."""
DayText = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
"""A calendar day, YYYY-MM-DD."""
MonthText = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}$")]
"""A month, YYYY-MM."""
MomentText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T"),
    Field(json_schema_extra={"format": "date-time"}),
]
"""A moment with its offset (ISO 8601, as `datetime.isoformat` writes it)."""


Absent = SkipJsonSchema[None]
"""`X | Absent = None`: a key the answer may leave out, never null (the JSON Schema has
no null branch, and the route sets `response_model_exclude_unset=True`)."""


def check_precision(amount: Decimal, currency: str) -> None:
    """Raise ValueError if `amount` has more fraction digits than `currency` allows."""
    digits = minor_units(currency)
    if fraction_digits(amount) > digits:
        raise ValueError(f"{currency} amounts have at most {digits} decimal places")
