"""A day's exchange rates: stored, audited, and seen by the next check in every process."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gateway import audit
from gateway.auth import Principal
from gateway.db.uow import UnitOfWork
from gateway.errors import InvalidInput
from gateway.fx import repository as repo
from gateway.fx.schemas import FxRatesIn
from policies import FxRates


def put_rates(
    uow: UnitOfWork, day: date, body: FxRatesIn, config: FxRates, who: Principal, now: datetime
) -> dict[str, Any]:
    """Replace the day's rates (only currencies the configuration has a rate for)."""
    if body.base != config.base:
        raise InvalidInput(
            f"base {body.base} is not the configured base currency {config.base}",
            code="FX_BASE_MISMATCH",
            details=[{"field": "body.base", "message": f"must be {config.base}"}],
        )
    rates: dict[str, str] = {}
    for currency, rate in body.rates.items():
        field = f"body.rates.{currency}"
        if currency not in config.rates or currency == config.base:
            message = (
                f"{currency} is the base: it is not rated against itself"
                if currency == config.base
                else f"no configured rate for {currency}: only configured currencies are dated"
            )
            raise InvalidInput(
                f"{field}: {message}",
                code="UNSUPPORTED_CURRENCY",
                details=[{"field": field, "message": message}],
            )
        rates[currency] = format(rate, "f")
    with uow.write() as conn:
        repo.lock_state(conn)
        before = repo.rates_of_day(conn, day)
        if before != rates:
            repo.replace_day(conn, day, rates)
            audit.append(
                conn,
                at=now,
                kind="fx_rates_changed",
                principal=who.name,
                role=who.role.value,
                data={
                    "rate_date": day.isoformat(),
                    "base": config.base,
                    "before": before,
                    "after": rates,
                },
            )
    return rates_view(day, config.base, rates)


def rates_view(day: date, base: str, rates: dict[str, str]) -> dict[str, Any]:
    return {"date": day.isoformat(), "base": base, "rates": dict(sorted(rates.items()))}


def get_rates(uow: UnitOfWork, day: date, config: FxRates) -> dict[str, Any]:
    """The rates a check dated `day` converts at: per currency, rate and rate_date."""
    with uow.read() as conn:
        dated = repo.load(conn, config)
    quotes = {c: dated.quote(c, day) for c in sorted(config.rates)}
    return {
        "date": day.isoformat(),
        "base": config.base,
        "rates": {
            c: {
                "rate": format(q.rate, "f"),
                "rate_date": q.rate_date.isoformat() if q.rate_date else None,
            }
            for c, q in quotes.items()
        },
    }
