"""Exact money arithmetic: currencies, minor units and conversion at configured rates.

Amounts are always `Decimal`; a float never enters this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

# ISO 4217 minor units of the currencies an ERP is likely to send. A code missing
# here is unsupported: better a clear 422 than a guess at its precision.
MINOR_UNITS: Mapping[str, int] = {
    "AED": 2,
    "AUD": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "MXN": 2,
    "MYR": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PHP": 2,
    "PLN": 2,
    "RON": 2,
    "RUB": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TND": 3,
    "TRY": 2,
    "TWD": 2,
    "USD": 2,
    "VND": 0,
    "ZAR": 2,
}

MAX_AMOUNT = Decimal(10) ** 12
ZERO = Decimal(0)


class UnsupportedCurrencyError(ValueError):
    """A currency code, or a pair of codes, that the configuration cannot convert."""


def minor_units(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise UnsupportedCurrencyError(f"currency {currency!r} is not supported") from None


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (used after conversion only)."""
    return amount.quantize(_unit(currency), rounding=ROUND_HALF_UP)


@cache
def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def fraction_digits(amount: Decimal) -> int:
    """The decimals as written: "1.000" has three (for EUR, one too many), "1000" none."""
    exponent = amount.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True, slots=True)
class FxRates:
    """Rates against one base currency: 1 `base` = `rates[code]` units of `code`."""

    base: str
    rates: Mapping[str, Decimal]

    def rate(self, currency: str) -> Decimal:
        if currency == self.base:
            return Decimal(1)
        try:
            return self.rates[currency]
        except KeyError:
            raise UnsupportedCurrencyError(
                f"no exchange rate configured for {currency!r} (base {self.base})"
            ) from None

    def convert(self, amount: Decimal, source: str, target: str) -> Decimal:
        """Convert and round to the target currency's minor unit."""
        if source == target:
            return quantize(amount, target)
        converted = amount / self.rate(source) * self.rate(target)
        return quantize(converted, target)
