"""Recording what simulation replays: a check's inputs (written with its decision, on
the check's hot path: `inputs_json`), and each open-item snapshot with the invoices
that name orders."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update

from gateway.recorder.tables import InvoiceSightingRow, ItemSnapshotRow
from policies import OpenItem, OverrideVerdict
from policies.frozen_json import encode
from policies.release import Watches

item_snapshots = ItemSnapshotRow.__table__  # type: ignore[attr-defined]
sightings = InvoiceSightingRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class CheckInputs:
    """What `evaluate` was given (every keyword argument but `policy`), the etag of the
    open items among them, and the verdict on the order's override token."""

    kwargs: Mapping[str, Any]
    items_etag: str | None
    verdict: OverrideVerdict = None
    # What the customer's watches found (policies.release.apply_controls), if any.
    watches: Watches | None = None


def inputs_json(inputs: CheckInputs) -> str:
    """The inputs as compact JSON (policies.frozen_json); the items by their etag."""
    refs: dict[int, str] = {}
    balance = inputs.kwargs.get("balance")
    items = getattr(balance, "items", None)
    # A non-empty tuple is its own object: the id names these items and nothing else.
    if inputs.items_etag and items:
        refs[id(items)] = inputs.items_etag
    payload = {
        "i": {k: encode(v, refs) for k, v in inputs.kwargs.items()},
        "v": encode(inputs.verdict),
        "w": encode(inputs.watches),
    }
    return orjson.dumps(payload).decode()


def record_snapshot(
    conn: Connection,
    customer_id: str,
    current_etag: str | None,
    items: tuple[OpenItem, ...],
    rows: Sequence[Mapping[str, Any]],
    as_of: datetime,
) -> str:
    """Keep the items under an etag, and follow the items that name an order; returns
    the etag the customer's items now have. Unchanged items (a sync pulls the same
    snapshot every few seconds) keep the current etag: one stored copy, and the
    in-memory copies under it stay right, for they are the same items."""
    text = orjson.dumps(encode(items)).decode()
    _follow_invoices(conn, customer_id, rows, as_of)
    if current_etag is not None:
        stored = conn.execute(
            select(item_snapshots.c["items"]).where(item_snapshots.c.etag == current_etag)
        ).scalar_one_or_none()
        if stored == text:
            return current_etag
    etag = uuid.uuid4().hex
    conn.execute(
        insert(item_snapshots).values(etag=etag, customer_id=customer_id, as_of=as_of, items=text)
    )
    return etag


def _follow_invoices(
    conn: Connection, customer_id: str, rows: Sequence[Mapping[str, Any]], as_of: datetime
) -> None:
    named = {r["item_id"]: r for r in rows if r.get("order_id")}
    known = {
        s.item_id: s
        for s in conn.execute(select(sightings).where(sightings.c.customer_id == customer_id))
    }

    def key(item_id: str) -> Any:
        return (sightings.c.customer_id == customer_id) & (sightings.c.item_id == item_id)

    for item_id, sighting in known.items():
        if item_id not in named and sighting.gone_at is None:
            conn.execute(update(sightings).where(key(item_id)).values(gone_at=as_of))
    for item_id, row in named.items():
        values = {
            "erp": row.get("erp"),
            "order_id": row["order_id"],
            "amount": row["amount_credit"],
            "due_date": row["due_date"],
            "last_seen": as_of,
            "gone_at": None,
        }
        if item_id in known:
            conn.execute(update(sightings).where(key(item_id)).values(**values))
        else:
            conn.execute(
                insert(sightings).values(
                    customer_id=customer_id, item_id=item_id, first_seen=as_of, **values
                )
            )
