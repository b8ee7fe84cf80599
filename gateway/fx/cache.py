"""The rate table kept in memory, keyed by the version row.

Every write of fx_rates gives fx_state a fresh random version in the same transaction
(gateway.fx.repository.replace_day), so rates cached under the version a transaction
reads now are exactly the stored rates, in every process; a check reads that one
short row (with its group membership, gateway.orders.group_fx) and the table only
after a change. The rates of a day are built once per version and day.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import Connection

from gateway.fx import repository as repo
from policies import DatedRates, FxRates

_MAX_DAYS = 1024


class FxCache:
    def __init__(self) -> None:
        self._entry: tuple[str, DatedRates, dict[date, FxRates]] | None = None
        self._lock = threading.Lock()  # PostgreSQL checks run on several threads

    def rates(self, conn: Connection, version: str | None, config: FxRates) -> DatedRates:
        """The dated rates as stored under `version` (the version row as read in this
        transaction; None: no row, no dated rates)."""
        if version is None:
            return DatedRates(config)
        entry = self._entry
        if entry is not None and entry[0] == version and entry[1].config is config:
            return entry[1]
        loaded = repo.load(conn, config)
        with self._lock:
            self._entry = (version, loaded, {})
        return loaded

    def on(self, dated: DatedRates, day: date) -> FxRates:
        """`dated.on(day)`, reused while `dated` is the cached table."""
        entry = self._entry
        if entry is None or entry[1] is not dated:
            return dated.on(day)
        days = entry[2]
        rates = days.get(day)
        if rates is None:
            rates = dated.on(day)
            with self._lock:
                if len(days) >= _MAX_DAYS:
                    days.clear()
                days[day] = rates
        return rates


def current_rates(conn: Connection, cache: FxCache | None, config: FxRates) -> DatedRates:
    """The dated rates as this transaction sees them (outside the check's hot path)."""
    version = repo.version(conn)
    return cache.rates(conn, version, config) if cache is not None else repo.load(conn, config)
