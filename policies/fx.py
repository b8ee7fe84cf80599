"""Dated exchange rates: the rate of a day is the latest one dated on or before it,
else the configured (undated) rate. Pure: the table comes in as values."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from policies.money import FxRates


@dataclass(frozen=True, slots=True)
class FxQuote:
    """A rate as quoted: units of a currency per 1 unit of the base; `rate_date` is the
    day it is dated, None for the configured rate."""

    rate: Decimal
    rate_date: date | None


@dataclass(frozen=True, slots=True)
class DatedRates:
    """The configured rates and, per currency, dated rates ascending by date."""

    config: FxRates
    dated: Mapping[str, tuple[tuple[date, Decimal], ...]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.config.base

    def quote(self, currency: str, day: date) -> FxQuote:
        """The rate `currency` converts at on `day` (UnsupportedCurrencyError if none)."""
        if currency == self.config.base:
            return FxQuote(Decimal(1), None)
        series = self.dated.get(currency)
        if series:
            n = bisect_right(series, day, key=lambda entry: entry[0])
            if n:
                return FxQuote(series[n - 1][1], series[n - 1][0])
        return FxQuote(self.config.rate(currency), None)

    def on(self, day: date) -> FxRates:
        """The rates that apply on `day`, as the undated `FxRates` every converter takes."""
        if not self.dated:
            return self.config
        currencies = set(self.config.rates) | set(self.dated)
        rates: dict[str, Decimal] = {}
        for currency in currencies:
            if currency == self.config.base:
                continue
            series = self.dated.get(currency, ())
            n = bisect_right(series, day, key=lambda entry: entry[0])
            if n:
                rates[currency] = series[n - 1][1]
            elif currency in self.config.rates:
                rates[currency] = self.config.rates[currency]
        return FxRates(base=self.config.base, rates=rates)

    def order_quote(self, order_currency: str, credit_currency: str, day: date) -> FxQuote | None:
        """The rate shown with a check whose amount was converted (None if it was not):
        the order currency's, or the credit currency's when the order is in the base."""
        if order_currency == credit_currency:
            return None
        shown = credit_currency if order_currency == self.config.base else order_currency
        return self.quote(shown, day)
