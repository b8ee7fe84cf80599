"""The application factory: settings, config and the engine are built here, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI

from gateway import error_handlers
from gateway.auth import KeyRing
from gateway.config import LoadedConfig, load_config
from gateway.customers.routes import router as customers_router
from gateway.db.engine import build_engine
from gateway.db.migrate import migrate
from gateway.http import BodyLimitMiddleware, RequestIdMiddleware
from gateway.logging import configure_logging
from gateway.ops.routes import router as ops_router
from gateway.orders.routes import router as orders_router
from gateway.resources import Resources, utc_now
from gateway.settings import Settings


def create_app(
    settings: Settings | None = None,
    config: LoadedConfig | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """Build the app. Without arguments, settings come from the environment."""
    settings = settings or Settings.from_env()
    config = config or load_config(settings.config_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        engine = build_engine(settings.database_url)
        migrate(engine)
        app.state.resources = Resources(
            settings=settings,
            config=config,
            engine=engine,
            keyring=KeyRing(settings.api_keys),
            clock=clock,
        )
        app.state.keyring = app.state.resources.keyring
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Order-hold gateway",
        version="0.1.0",
        summary="Release or hold, on every sales order, from cached credit state.",
        lifespan=lifespan,
    )
    error_handlers.install(app)
    app.include_router(ops_router)
    app.include_router(customers_router)
    app.include_router(orders_router)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
