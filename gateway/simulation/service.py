"""Policy simulation: every recorded check in a window decided again under a candidate.

The history is read in pages by decision id (keyset paging, one short read transaction a
page, opened on the unit of work given), so memory is bounded by the page and the
report's counters, never by the history's length. What the flipped orders became is
looked up per page.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import NoResultFound

from gateway.config import ConfigError, LoadedConfig, parse_config
from gateway.db.uow import UnitOfWork
from gateway.simulation import repository as repo
from policies import Policy
from policies.frozen_json import FrozenJsonError
from policies.simulation import aftermath, replay
from policies.simulation_report import FLIPS, Report

PAGE = 1000
UNREPLAYABLE = (FrozenJsonError, TypeError, KeyError, ValueError, NoResultFound)
Progress = Callable[[int, int], None]  # (done, total)


def candidate_policy(toml_text: str, running: LoadedConfig) -> Policy:
    """The decision policy of a candidate config: its [decision] and [grades.*]
    sections, validated as at start-up; FX rates stay the running config's (the
    recorded amounts are already converted). Raises ConfigError."""
    try:
        data = tomllib.loads(toml_text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}") from None
    data.pop("shadow", None)  # a candidate's own shadow plays no part
    candidate = parse_config(data)
    return replace(candidate.policy, fx=running.policy.fx)


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The window in UTC: from `since`'s first instant to the end of `until`."""
    start = datetime.combine(since, time(), UTC) if since else None
    end = datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None
    return start, end


def simulate(
    uow: UnitOfWork,
    policy: Policy,
    running: LoadedConfig,
    *,
    since: date | None = None,
    until: date | None = None,
    today: date,
    progress: Progress | None = None,
    page_size: int = PAGE,
) -> dict[str, Any]:
    report = run(uow, policy, running, since, until, today, progress, page_size)
    result = report.as_json()
    result["window"] = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    result["differences"] = report.differences
    return result


def run(
    uow: UnitOfWork,
    policy: Policy,
    running: LoadedConfig,
    since: date | None,
    until: date | None,
    today: date,
    progress: Progress | None = None,
    page_size: int = PAGE,
) -> Report:
    start, end = day_bounds(since, until)
    report = Report(fx=running.policy.fx)
    snapshots = repo.Snapshots()
    with uow.read() as conn:
        total = repo.count(conn, start, end) if progress else 0
    after, done = "", 0
    while True:
        with uow.read() as conn:
            rows = repo.page(conn, after, page_size, start, end)
            if not rows:
                break
            changes = []
            for row in rows:
                try:
                    changes.append(replay(repo.recorded(conn, row, snapshots), policy))
                except UNREPLAYABLE as exc:
                    # A record that lacks an input evaluate now takes, or refers to a
                    # snapshot that is gone: reported, and a difference for --check-current.
                    report.unreplayable(row.decision_id, f"{type(exc).__name__}: {exc}")
            flipped = {
                (c.recorded.erp, c.recorded.order_id, c.recorded.customer_id)
                for c in changes
                if c.direction in FLIPS
            }
            seen = repo.aftermath_of(conn, flipped)
        for change in changes:
            r = change.recorded
            key = (r.erp, r.order_id, r.customer_id)
            after_ = aftermath(*seen[key], today) if key in seen else None
            report.add(change, after_)
        after = rows[-1].decision_id
        done += len(rows)
        if progress:
            progress(done, total)
    return report


def differs(result: dict[str, Any]) -> bool:
    """Whether any replayed outcome or reason list differs from the recorded one."""
    keys = ("release_to_hold", "hold_to_release", "reasons_changed", "unreplayable")
    return any(result[k] for k in keys)
