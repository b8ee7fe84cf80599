"""The application factory: settings, config and the engine are built here, never at import."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import anyio
import structlog
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from adapters.sources import ErpSource
from gateway import api_docs, error_handlers, metrics, openapi
from gateway.aging.routes import router as aging_router
from gateway.audit_routes import router as audit_router
from gateway.auth import KeyRing
from gateway.balances import temporary_limits
from gateway.balances.routes import router as balances_router
from gateway.config import CreditApprovalSection, LoadedConfig, load_config
from gateway.console.routes import install as install_console
from gateway.credit_applications.routes import router as credit_applications_router
from gateway.db.engine import build_engine, is_sqlite
from gateway.db.group_commit import GroupCommit
from gateway.db.migrate import migrate
from gateway.db.pool_metrics import watch_pool
from gateway.erp.routes import router as erp_router
from gateway.fx.routes import router as fx_rates_router
from gateway.groups.routes import router as credit_groups_router
from gateway.http import EdgeMiddleware
from gateway.logging import configure_logging
from gateway.ops.routes import router as ops_router
from gateway.orders.fast_path import CheckFastPath
from gateway.orders.routes import router as orders_router
from gateway.portfolio.routes import router as portfolio_router
from gateway.recorder.shadow import Shadow
from gateway.recorder.shadow import export_series as export_shadow_series
from gateway.resources import Resources, utc_now
from gateway.settings import Settings
from gateway.simulation.routes import router as simulation_router
from gateway.sync.factory import sources_from_config
from gateway.sync.routes import router as sync_router
from gateway.sync.runner import SyncRunner
from gateway.unfreeze.conditions import Conditions
from gateway.unfreeze.redeem import TokenRedeemer
from gateway.unfreeze.routes import router as unfreeze_router
from gateway.unfreeze.tokens import TokenSigner
from gateway.unfreeze.watch import customer_watch


def tune_garbage_collector() -> None:
    """Keep CPython's cycle collector off the hot path.

    A check allocates many short-lived objects, and with the default thresholds the
    collector ran every 700 allocations and, in its older generations, walked the whole
    heap of FastAPI, pydantic and SQLAlchemy objects built at start-up: measured, it
    cost more than the check itself (bench/RESULTS.md). Start-up objects are frozen out
    of collection, and young collections run every 20,000 allocations; the soak in
    bench/ checks that memory stays flat.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class GatewayApp(FastAPI):
    """FastAPI with the edge middleware, and the check's way in, outside all of it.

    FastAPI wraps even its user middleware in layers of its own (server errors,
    telemetry, a body limit), which every request paid for. Outermost, the edge sees
    every answer, a 500 included, and every check skips FastAPI entirely.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._edge = EdgeMiddleware(CheckFastPath(super().__call__))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        await self._edge(scope, receive, send)


def _announce_ready(settings: Settings, erps: int) -> None:
    """One line when the process serves: where, on what, and where to look next.
    `gateway serve` puts its address in GATEWAY_SERVE_URL (tests and embedders may not)."""
    url = os.environ.get("GATEWAY_SERVE_URL", "")
    structlog.get_logger("gateway").info(
        "gateway_ready",
        url=url or None,
        console=f"{url}/console" if url else None,
        api_docs=f"{url}/docs" if url and settings.api_docs else None,
        database=settings.database_url.split(":", 1)[0],
        erp_sources=erps,
        pid=os.getpid(),
    )


async def sweep_temporary_limits(res: Resources, section: CreditApprovalSection) -> None:
    """Write down the temporary limits that ended (the check reads them right already)."""
    while True:
        now = res.clock()
        today = now.astimezone(res.config.timezone).date()
        try:
            await anyio.to_thread.run_sync(temporary_limits.revert_lapsed, res.uow, now, today)
        except Exception as exc:  # the next round tries again
            structlog.get_logger().warning("temporary_limit_sweep_failed", error=repr(exc)[:300])
        await asyncio.sleep(section.temporary_limit_sweep_seconds)


def create_app(
    settings: Settings | None = None,
    config: LoadedConfig | None = None,
    clock: Callable[[], datetime] = utc_now,
    sources: dict[str, ErpSource] | None = None,
    run_sync_loops: bool = True,
) -> FastAPI:
    """Build the app. Without arguments, settings come from the environment.

    `sources` replaces the ERP adapters built from the config (tests pass fakes);
    `run_sync_loops=False` keeps the scheduled pulls off (sync on demand still works).
    """
    settings = settings or Settings.from_env()
    config = config or load_config(settings.config_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        engine = build_engine(settings.database_url, settings.pool, settings.sqlite_synchronous)
        unwatch_pool = watch_pool(engine, settings.pool.size)
        migrate(engine)
        metrics.BUILD_INFO.labels(version=app.version).set(1)
        export_shadow_series()
        signer = TokenSigner(settings.token_secret)
        app.state.resources = Resources(
            settings=settings,
            config=config,
            engine=engine,
            keyring=KeyRing(settings.api_keys),
            signer=signer,
            clock=clock,
            overrides=TokenRedeemer(signer, Conditions.from_config(config)),
            watch=customer_watch(config),
            group_commit=GroupCommit(engine) if is_sqlite(engine) else None,
            check_threads=anyio.CapacityLimiter(settings.check_threads),
            shadow=Shadow(config.shadow) if config.shadow is not None else None,
        )
        res: Resources = app.state.resources
        app.state.keyring = res.keyring
        res.erps = sources if sources is not None else sources_from_config(config)
        loops: list[asyncio.Task[None]] = []
        for erp, source in res.erps.items():
            section = config.raw.adapters.get(erp)
            interval = section.sync_interval_seconds if section else 60.0
            runner = SyncRunner(
                source, res.uow, res.check_context, interval, config.raw.master_data.owner
            )
            res.syncs[erp] = runner
            if run_sync_loops:
                loops.append(asyncio.create_task(runner.run_forever(), name=f"sync-{erp}"))
        loops.append(
            asyncio.create_task(
                sweep_temporary_limits(res, config.raw.credit_approval),
                name="temporary-limits",
            )
        )
        tune_garbage_collector()
        _announce_ready(settings, len(res.erps))
        try:
            yield
        finally:
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            for source in res.erps.values():
                await source.aclose()
            engine.dispose()
            unwatch_pool()

    app = GatewayApp(
        # A body without a Content-Type is read as JSON: some ERP clients leave it out.
        # FastAPI's strict default guards cookie-authenticated JSON routes against
        # cross-site requests; the API takes bearer keys only (the console, the one
        # user of cookies, posts forms with a CSRF token).
        strict_content_type=False,
        title="Order-hold gateway",
        version="0.1.0",
        summary="Release or hold, on every sales order, from cached credit state.",
        lifespan=lifespan,
        responses=error_handlers.ERROR_RESPONSES,
        # Public (no key) when on: GATEWAY_API_DOCS=off serves none of them. The
        # pages are gateway.api_docs's (offline), not FastAPI's (from a CDN).
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    error_handlers.install(app)
    openapi.install(
        app,
        config.policy.fx,
        credit_fields_required=config.raw.master_data.owner == "erp",
        score_factors=config.raw.scorecard.factors,
    )
    if app.openapi_url is not None:
        api_docs.install(app, app.openapi_url)
    # Routes match in order: the check, the route of nearly every request, comes first.
    app.include_router(orders_router)
    app.include_router(ops_router)
    app.include_router(balances_router)
    app.include_router(aging_router)
    app.include_router(sync_router)
    app.include_router(unfreeze_router)
    app.include_router(credit_applications_router)
    app.include_router(audit_router)
    app.include_router(erp_router)
    app.include_router(credit_groups_router)
    app.include_router(fx_rates_router)
    app.include_router(simulation_router)
    app.include_router(portfolio_router)
    install_console(app)
    return app
