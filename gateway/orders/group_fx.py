"""What a check needs beyond the customer: its credit group (locked first on
PostgreSQL) and the rates of the order's day (from memory, see gateway.fx.cache).

One short statement reads both the rate table's version and the customer's group, so
a check of a customer in no group, with unchanged rates, costs one primary-key read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, select

from gateway.db.fast import FastStatement, Read
from gateway.errors import Unavailable
from gateway.fx import repository as fx_repo
from gateway.fx.cache import FxCache
from gateway.groups import repository as groups_repo
from gateway.groups.records import GroupRecord
from policies import DatedRates, FxRates

_probe = FastStatement(
    select(
        select(fx_repo.fx_state.c.version)
        .where(fx_repo.fx_state.c.id == fx_repo.STATE_ID)
        .scalar_subquery()
        .label("fx_version"),
        select(groups_repo.members.c.group_id)
        .where(groups_repo.members.c.customer_id == bindparam("cid"))
        .scalar_subquery()
        .label("group_id"),
    )
)


class MembershipChanged(Unavailable):
    """The customer joined or left a group between the group's lock and its own
    (PostgreSQL only): the check is run again, in a new transaction."""

    code = "CREDIT_GROUP_CHANGED"


@dataclass(frozen=True)
class CheckScope:
    fx_version: str | None
    group: GroupRecord | None  # the group's row, locked on PostgreSQL


def scope_of(conn: Connection, customer_id: str) -> CheckScope:
    """Read (and lock) the customer's group: call before the customer's row is locked."""
    row = _probe.first(conn, {"cid": customer_id})
    version = row.fx_version if row is not None else None
    group_id = row.group_id if row is not None else None
    group = groups_repo.get_group(conn, group_id, lock=True) if group_id else None
    return CheckScope(version, group)


def probe_read(customer_id: str) -> Read:
    """The rate table's version and the customer's group, to be sent with other reads."""
    return _probe, {"cid": customer_id}


def scope_read_ahead(probe: Any, group: Any | None) -> CheckScope:
    """The scope from reads sent together, in this order: the customer's group locked
    (`locked_group_of_read`), the customer's row locked, then `probe_read`. With the
    customer's row locked its group can no longer change: the group locked first
    must be the one it is in now (`confirm`)."""
    group_id = probe.group_id if probe is not None else None
    if group_id != (group.group_id if group is not None else None):
        raise MembershipChanged("the customer's credit group changed during the check; retry")
    return CheckScope(probe.fx_version if probe is not None else None, group)


def confirm(conn: Connection, scope: CheckScope, customer_id: str) -> None:
    """With the customer's row locked, its group can no longer change (a group's PUT
    locks the customers it adds): the group locked first must still be its group."""
    if conn.dialect.name == "sqlite":
        return  # the write lock was held from the first read
    group_id = groups_repo.group_id_of(conn, customer_id)
    if group_id != (scope.group.group_id if scope.group is not None else None):
        raise MembershipChanged("the customer's credit group changed during the check; retry")


def dated_rates(
    conn: Connection, scope: CheckScope, cache: FxCache | None, config: FxRates
) -> DatedRates:
    if cache is None:
        return fx_repo.load(conn, config) if scope.fx_version is not None else DatedRates(config)
    return cache.rates(conn, scope.fx_version, config)


def rates_on(dated: DatedRates, cache: FxCache | None, day: date) -> FxRates:
    return cache.on(dated, day) if cache is not None else dated.on(day)
