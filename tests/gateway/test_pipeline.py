"""gateway.db.pipeline: a pipelined transaction writes all of its work or none of it,
its errors arrive as SQLAlchemy's, and its connection goes back to the pool as lent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gateway.db.engine import build_engine
from gateway.db.migrate import migrate
from gateway.db.pipeline import (
    NotInTransaction,
    begin,
    pipelined_tx,
    queue_writes,
    read_together,
)
from gateway.orders import repository as repo

pytestmark = pytest.mark.postgres
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def order(order_id: str) -> dict[str, Any]:
    return {
        "erp": "sap",
        "order_id": order_id,
        "customer_id": "C1",
        "revision": 1,
        "status": repo.HELD,
        "amount": Decimal("10.00"),
        "currency": "EUR",
        "reserved": Decimal(0),
        "decision_id": f"d-{order_id}",
        "updated_at": AT,
    }


def test_all_or_nothing_and_a_clean_connection_after(postgres_url: str) -> None:
    engine = build_engine(postgres_url)
    migrate(engine)
    with pipelined_tx(engine) as conn:
        (found,) = read_together(conn, [repo.order_read("sap", "O1")])
        assert found.first() is None
        queue_writes(conn, lambda: repo.save_order(conn, None, order("O1")))

    def twice() -> None:  # the second insert breaks the key: the first goes too
        repo.save_order(conn, None, order("O2"))
        repo.save_order(conn, None, order("O1"))

    with pytest.raises(IntegrityError), pipelined_tx(engine) as conn:
        begin(conn)
        queue_writes(conn, twice)

    with pytest.raises(RuntimeError), pipelined_tx(engine) as conn:
        begin(conn)
        queue_writes(conn, lambda: repo.save_order(conn, None, order("O3")))
        raise RuntimeError("an error after the writes were queued")

    with pytest.raises(NotInTransaction), pipelined_tx(engine) as conn:
        queue_writes(conn, lambda: None)

    with engine.connect() as conn:
        ids = conn.execute(text("SELECT order_id FROM orders ORDER BY order_id")).scalars()
        assert list(ids) == ["O1"]
        driver = conn.connection.driver_connection
        assert driver is not None and driver.autocommit is False
    engine.dispose()
