"""Dated exchange rates and their version row. Never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from gateway.db.fast import FastStatement
from gateway.fx.tables import FxRateRow, FxStateRow
from policies import DatedRates, FxRates

fx_rates = FxRateRow.__table__  # type: ignore[attr-defined]
fx_state = FxStateRow.__table__  # type: ignore[attr-defined]
STATE_ID = 1

_version = FastStatement(select(fx_state.c.version).where(fx_state.c.id == bindparam("id")))


def version(conn: Connection) -> str | None:
    row = _version.first(conn, {"id": STATE_ID})
    return str(row.version) if row is not None else None


def load(conn: Connection, config: FxRates) -> DatedRates:
    """Every dated rate, ascending by date per currency, over the configured rates."""
    series: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = conn.execute(
        select(fx_rates.c.currency, fx_rates.c.rate_date, fx_rates.c.rate).order_by(
            fx_rates.c.currency, fx_rates.c.rate_date
        )
    ).all()
    for row in rows:
        series[row.currency].append((row.rate_date, Decimal(row.rate)))
    return DatedRates(config, {c: tuple(s) for c, s in series.items()})


def rates_of_day(conn: Connection, day: date) -> dict[str, str]:
    rows = conn.execute(
        select(fx_rates.c.currency, fx_rates.c.rate)
        .where(fx_rates.c.rate_date == day)
        .order_by(fx_rates.c.currency)
    ).all()
    return {str(r.currency): str(r.rate) for r in rows}


def lock_state(conn: Connection) -> None:
    """Serialize the writers of rates (PostgreSQL; SQLite's write lock already does)."""
    stmt = select(fx_state.c.version).where(fx_state.c.id == STATE_ID)
    if conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    if conn.execute(stmt).first() is None:
        conn.execute(insert(fx_state).values(id=STATE_ID, version=uuid.uuid4().hex))


def replace_day(conn: Connection, day: date, rates: dict[str, str]) -> None:
    """Replace the day's rates and give the table a fresh version, in one transaction:
    the only writer of fx_rates (see gateway.fx.cache)."""
    conn.execute(delete(fx_rates).where(fx_rates.c.rate_date == day))
    if rates:
        conn.execute(
            insert(fx_rates),
            [{"rate_date": day, "currency": c, "rate": r} for c, r in sorted(rates.items())],
        )
    conn.execute(update(fx_state).where(fx_state.c.id == STATE_ID).values(version=uuid.uuid4().hex))
