"""Schema migrations (Alembic), run at start-up so an upgrade keeps the data."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from gateway.db.engine import is_sqlite, write_tx

# Any constant works; it names the lock that keeps two starting processes from
# migrating the same PostgreSQL database at once.
_PG_MIGRATION_LOCK = 727_401


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "gateway:migrations")
    return cfg


def migrate(engine: Engine) -> None:
    cfg = alembic_config()
    # A write transaction from the start: on SQLite one that reads first and writes
    # later cannot wait out another process's write lock, it fails at once.
    with write_tx(engine) as conn:
        if not is_sqlite(engine):
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
