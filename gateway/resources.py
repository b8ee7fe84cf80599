"""What the app builds once in its lifespan and hands to every request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import anyio
from fastapi import Request
from sqlalchemy import Engine

from adapters.sources import ErpSource
from gateway.auth import KeyRing
from gateway.config import LoadedConfig
from gateway.customers.items_cache import OpenItemsCache
from gateway.db.group_commit import GroupCommit
from gateway.db.uow import SqliteUnitOfWork, UnitOfWork, unit_of_work
from gateway.fx.cache import FxCache
from gateway.orders.context import CheckContext, CreditWatch, OutsideGroups, OverrideRedeemer
from gateway.recorder.shadow import Shadow
from gateway.settings import Settings
from gateway.unfreeze.context import UnfreezeContext
from gateway.unfreeze.tokens import TokenSigner

if TYPE_CHECKING:
    from gateway.sync.runner import SyncRunner


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Resources:
    settings: Settings
    config: LoadedConfig
    engine: Engine
    keyring: KeyRing
    signer: TokenSigner
    clock: Callable[[], datetime] = utc_now
    overrides: OverrideRedeemer | None = None
    watch: CreditWatch | None = None
    erps: dict[str, ErpSource] = field(default_factory=dict)
    syncs: dict[str, SyncRunner] = field(default_factory=dict)
    # SQLite only: checks share transactions (see gateway.db.group_commit).
    group_commit: GroupCommit | None = None
    items: OpenItemsCache = field(default_factory=OpenItemsCache)
    fx_rates: FxCache = field(default_factory=FxCache)
    outside_groups: OutsideGroups = field(default_factory=OutsideGroups)
    # The threads checks run on (see Settings.check_threads); built in the lifespan.
    check_threads: anyio.CapacityLimiter | None = None
    # [shadow]: checks decided again under a second policy (gateway.recorder.shadow).
    shadow: Shadow | None = None
    # Where services begin and commit their transactions (gateway.db.uow); built from
    # the engine (and on SQLite around the group commit) unless given.
    uow: UnitOfWork = field(init=False)

    def __post_init__(self) -> None:
        if self.group_commit is not None:
            self.uow = SqliteUnitOfWork(self.engine, self.group_commit)
        else:
            self.uow = unit_of_work(self.engine, self.check_threads)
            if isinstance(self.uow, SqliteUnitOfWork):
                self.group_commit = self.uow.group_commit

    def unfreeze_context(self) -> UnfreezeContext:
        approval = self.config.raw.approval
        return UnfreezeContext(
            matrix=self.config.approval,
            fx=self.config.policy.fx,
            signer=self.signer,
            request_ttl=timedelta(hours=approval.request_ttl_hours),
            token_ttl=timedelta(hours=approval.token_ttl_hours),
            now=self.clock(),
            release_by=approval.release_by,
            other_min_justification=approval.other_min_justification,
        )

    def check_context(self) -> CheckContext:
        return CheckContext(
            self.config.policy,
            self.config.timezone,
            self.clock(),
            self.overrides,
            self.items,
            fx_rates=self.fx_rates,
            watch=self.watch,
            outside_groups=self.outside_groups,
        )


async def resources(request: Request) -> Resources:
    res: Resources = request.app.state.resources
    return res
