"""Reading recorded checks back, a page at a time, and what later became of orders."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, func, select, tuple_

from gateway.db.records import as_records
from gateway.db.tables import DecisionRow, OrderRow
from gateway.recorder.record import item_snapshots, sightings
from gateway.simulation.records import RecordedDecisionRecord
from policies import Outcome
from policies.frozen_json import decode
from policies.simulation import Recorded, Sighting

orders = OrderRow.__table__  # type: ignore[attr-defined]
decisions = DecisionRow.__table__  # type: ignore[attr-defined]
CANCELLED = "cancelled"


def _window(since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    """Recorded decisions (with inputs) made in the window."""
    where = [decisions.c.inputs.is_not(None)]
    if since is not None:
        where.append(decisions.c.created_at >= since)
    if until is not None:
        where.append(decisions.c.created_at < until)
    return where


def count(conn: Connection, since: datetime | None, until: datetime | None) -> int:
    stmt = select(func.count()).select_from(decisions).where(*_window(since, until))
    total: int = conn.execute(stmt).scalar_one()
    return total


def page(
    conn: Connection, after: str, size: int, since: datetime | None, until: datetime | None
) -> list[RecordedDecisionRecord]:
    """The next `size` records after decision id `after` (keyset: ids are time-ordered)."""
    stmt = (
        select(
            decisions.c.decision_id,
            decisions.c.erp,
            decisions.c.order_id,
            decisions.c.revision,
            decisions.c.customer_id,
            decisions.c.outcome,
            decisions.c.created_at,
            decisions.c.response,
            decisions.c.inputs,
        )
        .where(decisions.c.decision_id > after, *_window(since, until))
        .order_by(decisions.c.decision_id)
        .limit(size)
    )
    return as_records(RecordedDecisionRecord, conn.execute(stmt))


class Snapshots:
    """Open-item snapshots by etag, the most recently used few kept in memory."""

    def __init__(self, keep: int = 512) -> None:
        self.keep = keep
        self._items: OrderedDict[str, Any] = OrderedDict()

    def get(self, conn: Connection, etag: str) -> Any:
        items = self._items.get(etag)
        if items is not None:
            self._items.move_to_end(etag)
            return items
        text = conn.execute(
            select(item_snapshots.c["items"]).where(item_snapshots.c.etag == etag)
        ).scalar_one()
        items = decode(orjson.loads(text))
        self._items[etag] = items
        if len(self._items) > self.keep:
            self._items.popitem(last=False)
        return items


def recorded(conn: Connection, row: RecordedDecisionRecord, snapshots: Snapshots) -> Recorded:
    payload = orjson.loads(row.inputs)

    def resolve(etag: str) -> Any:
        return snapshots.get(conn, etag)

    return Recorded(
        decision_id=row.decision_id,
        erp=row.erp,
        order_id=row.order_id,
        revision=row.revision,
        customer_id=row.customer_id,
        decided_at=row.created_at,
        outcome=Outcome(row.outcome),
        reasons=tuple(r["code"] for r in orjson.loads(row.response)["reasons"]),
        inputs={k: decode(v, resolve) for k, v in payload["i"].items()},
        verdict=decode(payload["v"]),
        watches=decode(payload.get("w")),
    )


def aftermath_of(
    conn: Connection, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], tuple[list[Sighting], bool]]:
    """For (erp, order_id, customer_id) keys: the invoices seen naming each order (by
    ERP, or by id alone when the item names no ERP) and whether it was cancelled."""
    wanted = set(keys)
    if not wanted:
        return {}
    pairs = {(cid, oid) for _, oid, cid in wanted}
    seen = conn.execute(
        select(sightings).where(tuple_(sightings.c.customer_id, sightings.c.order_id).in_(pairs))
    ).all()
    status = {
        (r.erp, r.order_id): r.status
        for r in conn.execute(
            select(orders.c.erp, orders.c.order_id, orders.c.status).where(
                tuple_(orders.c.erp, orders.c.order_id).in_({(e, o) for e, o, _ in wanted})
            )
        )
    }
    found: dict[tuple[str, str, str], tuple[list[Sighting], bool]] = {}
    for erp, oid, cid in wanted:
        invoices = [
            Sighting(s.due_date, s.first_seen, s.gone_at)
            for s in seen
            if s.customer_id == cid and s.order_id == oid and s.erp in (None, erp)
        ]
        found[(erp, oid, cid)] = (invoices, status.get((erp, oid)) == CANCELLED)
    return found
