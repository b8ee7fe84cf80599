"""Rules the request schemas cannot express, reported as 422 with field paths."""

from __future__ import annotations

from decimal import Decimal

from gateway.errors import InvalidInput
from gateway.schemas import check_precision
from policies import FxRates
from policies.money import UnsupportedCurrencyError, minor_units


def require_currency(currency: str, field: str, fx: FxRates, credit_currency: str) -> None:
    """422 UNSUPPORTED_CURRENCY unless `currency` converts into the credit currency."""
    try:
        minor_units(currency)
        if currency != credit_currency:
            fx.rate(currency)
            fx.rate(credit_currency)
    except UnsupportedCurrencyError as exc:
        raise InvalidInput(
            f"{field}: {exc}",
            code="UNSUPPORTED_CURRENCY",
            details=[{"field": field, "message": str(exc)}],
        ) from None


def require_precision(amount: Decimal, currency: str, field: str) -> None:
    try:
        check_precision(amount, currency)
    except UnsupportedCurrencyError as exc:
        raise InvalidInput(
            str(exc), code="UNSUPPORTED_CURRENCY", details=[{"field": field, "message": str(exc)}]
        ) from None
    except ValueError as exc:
        raise InvalidInput(
            f"{field}: {exc}",
            code="INVALID_AMOUNT",
            details=[{"field": field, "message": str(exc)}],
        ) from None
