"""The hot path's driver-level statements store and read exactly what SQLAlchemy does."""

from __future__ import annotations

from dataclasses import astuple
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from gateway.db.engine import build_engine, write_tx
from gateway.db.migrate import migrate
from gateway.orders import repository as repo

AT = datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=UTC)


def order(order_id: str) -> dict[str, Any]:
    return {
        "erp": "sap",
        "order_id": order_id,
        "customer_id": "C1",
        "revision": 2,
        "status": repo.RELEASED,
        "amount": Decimal("1234.5600"),
        "currency": "EUR",
        "reserved": Decimal("1234.5600"),
        "decision_id": f"d-{order_id}",
        "updated_at": AT,
    }


def test_rows_written_both_ways_are_stored_identically(database_url: str) -> None:
    engine = build_engine(database_url)
    migrate(engine)
    with write_tx(engine) as conn:
        conn.execute(insert(repo.orders).values(invoiced=Decimal(0), **order("BY-CORE")))
        repo.save_order(conn, None, order("BY-DRIVER"))
    with engine.connect() as conn:
        raw = conn.execute(
            text(
                "SELECT * FROM orders WHERE order_id IN ('BY-CORE', 'BY-DRIVER') ORDER BY order_id"
            )
        ).all()
        by_core = conn.execute(select(repo.orders).where(repo.orders.c.order_id == "BY-CORE")).one()
        by_driver = repo.get_order(conn, "sap", "BY-CORE")
    engine.dispose()
    core, driver = (dict(r._mapping) for r in raw)
    assert {**driver, "order_id": "x", "decision_id": "x"} == {
        **core,
        "order_id": "x",
        "decision_id": "x",
    }
    assert by_driver is not None
    assert astuple(by_driver) == tuple(by_core)
    assert by_driver.updated_at == AT and by_driver.amount == Decimal("1234.5600")


def test_driver_errors_arrive_as_sqlalchemy_errors(database_url: str) -> None:
    engine = build_engine(database_url)
    migrate(engine)
    with pytest.raises(IntegrityError), write_tx(engine) as conn:
        repo.save_order(conn, None, order("TWICE"))
        repo.save_order(conn, None, order("TWICE"))
    engine.dispose()
