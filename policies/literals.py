"""The literal forms the contract accepts, shared by every edge (API, ERP adapters,
console): amounts in plain decimal notation, JSON objects without repeated keys.

Pure: text in, values or `ValueError`s out. Why so strict: `Decimal()` reads
"1e-999999999", "1_000", "+100" and Arabic-Indic digits, and `json` keeps the last of
two equal keys, so `"amount":"99999999.00","amount":"1.00"` would be decided as 1.00.
An ERP that sends such a thing has a bug worth hearing about, never a guess.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

# ASCII digits without leading zeros, below 10**12 (policies.money.MAX_AMOUNT), at most
# one point with digits on both sides. A currency's minor units are checked apart.
PLAIN_DECIMAL = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$"
_PLAIN = re.compile(PLAIN_DECIMAL)


def amount_pattern(decimals: int, *, positive: bool) -> str:
    """The regular expression of PLAIN_DECIMAL amounts with at most `decimals` decimals
    (and above zero if `positive`): what the OpenAPI schema tells clients."""
    whole = "[1-9][0-9]{0,11}"
    fraction = rf"(\.[0-9]{{1,{decimals}}})?" if decimals else ""
    if not positive:
        return rf"^(0|{whole}){fraction}$"
    if not decimals:
        return rf"^{whole}$"
    # Below one: 0.x with k leading zeros, then a non-zero digit, within `decimals`.
    small = "|".join(
        "0" * k + "[1-9]" + (f"[0-9]{{0,{decimals - 1 - k}}}" if k < decimals - 1 else "")
        for k in range(decimals)
    )
    return rf"^({whole}{fraction}|0\.({small}))$"


class NotPlainAmount(ValueError):
    """A text that is not an amount in plain decimal notation."""


def plain_decimal(text: str) -> Decimal:
    """`text` as a Decimal if it is written as digits with one optional point."""
    # fullmatch: re's `$` alone would also match before a final newline.
    if _PLAIN.fullmatch(text) is None:
        raise NotPlainAmount(
            "must be written in plain decimal notation: digits, one optional point "
            "(e.g. 12500.00); no sign, exponent, separator or spaces"
        )
    return Decimal(text)


def integral(value: object) -> object:
    """A JSON number without a fraction (2.0, JSON Schema's integer 2) as an int; any
    other value as it is. Exponents never get here as numbers (`ExponentNumber`)."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def number_value(amount: Decimal) -> Decimal:
    """A JSON number's amount by its value, as JSON Schema's multipleOf judges it: 5.0 is
    5 and 1.50 is 1.5 (a string's decimals, by contrast, count as written)."""
    whole = amount.to_integral_value()
    return whole.quantize(1) if amount == whole else amount.normalize()


class DuplicateKeyError(json.JSONDecodeError):
    """A JSON object names a key twice. A JSONDecodeError, so every JSON reader that
    already refuses bad JSON refuses this too; the API reports it as DUPLICATE_KEY."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key {key!r} appears twice in one object", "", 0)
        self.key = key


class ExponentNumber:
    """A JSON number written with an exponent (`1e3`), kept as written. It is no value
    of any field: amount fields refuse it as INVALID_AMOUNT, every other field as the
    wrong type, instead of reading `1e-999999999` as 0 or `1e2` as revision 100."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _number(text: str) -> Decimal | ExponentNumber:
    if "e" in text or "E" in text:
        return ExponentNumber(text)
    return Decimal(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return obj


def _no_constant(name: str) -> Any:
    # NaN and Infinity are no JSON, and would arrive as floats.
    raise ValueError(f"{name} is not a JSON value")


# One decoder for every caller (json.loads with options builds a new one per call).
EXACT_JSON = json.JSONDecoder(
    parse_float=_number, parse_constant=_no_constant, object_pairs_hook=_object
)


def loads_exact(text: str) -> Any:
    """JSON with fractional numbers as Decimal (exact), exponent numbers kept as written
    (`ExponentNumber`), and a repeated key in any object refused (`DuplicateKeyError`)."""
    return EXACT_JSON.decode(text)
