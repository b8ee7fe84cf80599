"""Schema migrations: an upgrade keeps the data, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import threading

from alembic import command
from sqlalchemy import Engine, inspect, text

from gateway.db.engine import build_engine, write_tx
from gateway.db.migrate import alembic_config, migrate


def engine_at_revision(database_url: str, revision: str) -> Engine:
    """An engine on a database migrated up to `revision` only: the past to upgrade from."""
    engine = build_engine(database_url)
    cfg = alembic_config()
    with write_tx(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return engine


def test_upgrade_from_the_first_revision_keeps_data(database_url: str) -> None:
    engine = engine_at_revision(database_url, "0001")
    with write_tx(engine) as conn:
        conn.execute(
            text(
                "INSERT INTO customers (customer_id, name, credit_limit, currency, grade, "
                "payment_terms_days, blocked, updated_at) VALUES ('OLD', 'Old GmbH', 100000000, "
                "'EUR', 'B', 30, false, '2026-01-01 00:00:00')"
            )
        )
    assert "unfreeze_requests" not in inspect(engine).get_table_names()
    migrate(engine)  # what `gateway serve` does at start
    assert "unfreeze_requests" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        row = conn.execute(text("SELECT name, credit_limit FROM customers")).one()
    assert tuple(row) == ("Old GmbH", 100000000)
    migrate(engine)  # idempotent
    engine.dispose()


def test_upgrade_to_reserved_totals_sums_each_customers_ledger(database_url: str) -> None:
    engine = engine_at_revision(database_url, "0003")
    with write_tx(engine) as conn:
        for cid in ("A", "B"):
            conn.execute(
                text(
                    "INSERT INTO customers (customer_id, name, credit_limit, currency, grade, "
                    "payment_terms_days, blocked, updated_at) VALUES (:cid, 'x', 100000000, "
                    "'EUR', 'B', 30, false, '2026-01-01 00:00:00')"
                ),
                {"cid": cid},
            )
        for oid, reserved, status in (
            ("1", 15000000, "released"),
            ("2", 2500, "released"),
            ("3", 0, "held"),
        ):
            conn.execute(
                text(
                    "INSERT INTO orders (erp, order_id, customer_id, revision, status, amount, "
                    "invoiced, reserved, decision_id, updated_at) VALUES ('sap', :oid, 'A', 1, "
                    ":status, 15000000, 0, :reserved, :oid, '2026-01-01 00:00:00')"
                ),
                {"oid": oid, "reserved": reserved, "status": status},
            )
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT customer_id, reserved FROM customers ORDER BY 1")).all()
    assert [tuple(r) for r in rows] == [("A", 15002500), ("B", 0)]
    engine.dispose()


def test_upgrade_to_orders_currency_takes_it_from_the_latest_answer(database_url: str) -> None:
    """An order figured while its customer was unknown is in its own currency (USD),
    not the customer's (EUR): the stored answer says which, as the code read it before."""
    engine = engine_at_revision(database_url, "0011")
    with write_tx(engine) as conn:
        conn.execute(
            text(
                "INSERT INTO customers (customer_id, name, credit_limit, currency, grade, "
                "payment_terms_days, blocked, updated_at, reserved) VALUES ('A', 'x', "
                "100000000, 'EUR', 'B', 30, false, '2026-01-01 00:00:00', 0)"
            )
        )
        for oid, currency in (("1", "USD"), ("2", "EUR")):
            conn.execute(
                text(
                    "INSERT INTO orders (erp, order_id, customer_id, revision, status, amount, "
                    "invoiced, reserved, decision_id, updated_at) VALUES ('sap', :oid, 'A', 1, "
                    "'held', 15000000, 0, 0, :did, '2026-01-01 00:00:00')"
                ),
                {"oid": oid, "did": f"d{oid}"},
            )
            conn.execute(
                text(
                    "INSERT INTO decisions (decision_id, erp, order_id, revision, token_key, "
                    "payload_hash, customer_id, outcome, response, created_at) VALUES "
                    "(:did, 'sap', :oid, 1, '', 'h', 'A', 'hold', :response, "
                    "'2026-01-01 00:00:00')"
                ),
                {
                    "did": f"d{oid}",
                    "oid": oid,
                    "response": json.dumps({"exposure": {"currency": currency}}),
                },
            )
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT order_id, currency FROM orders ORDER BY 1")).all()
    assert [tuple(r) for r in rows] == [("1", "USD"), ("2", "EUR")]
    engine.dispose()


def test_unknown_routes_and_methods_answer_in_the_error_shape(api: object) -> None:
    client = api.client  # type: ignore[attr-defined]
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    r = client.delete("/v1/orders/check")
    assert r.status_code == 405 and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    ready = client.get("/readyz").json()
    assert ready["balances"] == {"stale_customers": 0.0, "oldest_age_seconds": 0.0}


def test_the_migrations_build_the_schema_the_models_describe(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import gateway.app  # noqa: F401  (imports, and so registers, every table)

    engine = build_engine(database_url)
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_an_upgrade_waits_for_a_running_gateways_write_on_the_same_sqlite_file(
    tmp_path: object,
) -> None:
    """A new release starting beside the old one: the migration waits out the other's
    write lock (busy_timeout), as a write transaction does, instead of failing."""
    engine = engine_at_revision(f"sqlite:///{tmp_path}/upgrade.db", "0003")
    path = str(engine.url.database)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        migrate(engine)
    finally:
        release.join()
        other.close()
    assert "reserved" in {c["name"] for c in inspect(engine).get_columns("customers")}
    engine.dispose()
