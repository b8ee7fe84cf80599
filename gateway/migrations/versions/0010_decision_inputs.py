"""decision inputs, open-item snapshots, invoice sightings

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-07

Policy simulation and shadow mode (DESIGN §3b): every check records the inputs it
was decided on (`decisions.inputs`, JSON; NULL for earlier decisions). Open items
are referenced by the customer's snapshot etag, so each replacement of a customer's
items is kept under its etag; open items naming an order are followed from snapshot
to snapshot (first seen, gone). The customers'
current items are stored as their first snapshot here, so checks made after the
upgrade can refer to them.
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

from gateway.db.types import Money, UtcDateTime
from policies import ItemKind, OpenItem
from policies.frozen_json import encode

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inputs", sa.Text(), nullable=True))
    op.create_table(
        "item_snapshots",
        sa.Column("etag", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("etag"),
    )
    with op.batch_alter_table("item_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_item_snapshots_customer", ["customer_id"], unique=False)
    op.create_table(
        "invoice_sightings",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("erp", sa.String(length=32), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", "item_id"),
    )
    with op.batch_alter_table("invoice_sightings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_sightings_order", ["customer_id", "order_id"], unique=False
        )
    _first_snapshots()


def _first_snapshots() -> None:
    """Each customer's current items become the snapshot its current etag names."""
    conn = op.get_bind()
    meta = sa.MetaData()
    customers = sa.Table(
        "customers",
        meta,
        sa.Column("customer_id", sa.String()),
        sa.Column("items_etag", sa.String()),
        sa.Column("snapshot_as_of", UtcDateTime()),
    )
    items = sa.Table(
        "open_items",
        meta,
        sa.Column("customer_id", sa.String()),
        sa.Column("item_id", sa.String()),
        sa.Column("kind", sa.String()),
        sa.Column("amount_credit", Money()),
        sa.Column("due_date", sa.Date()),
    )
    snapshots = sa.Table(
        "item_snapshots",
        meta,
        sa.Column("etag", sa.String()),
        sa.Column("customer_id", sa.String()),
        sa.Column("as_of", UtcDateTime()),
        sa.Column("items", sa.Text()),
    )
    for customer in conn.execute(sa.select(customers)).all():
        etag = customer.items_etag
        if etag is None:
            etag = uuid.uuid4().hex
            conn.execute(
                sa.update(customers)
                .where(customers.c.customer_id == customer.customer_id)
                .values(items_etag=etag)
            )
        rows = conn.execute(
            sa.select(items)
            .where(items.c.customer_id == customer.customer_id)
            .order_by(items.c.due_date, items.c.item_id)
        ).all()
        snapshot = tuple(
            OpenItem(r.item_id, ItemKind(r.kind), r.amount_credit, r.due_date) for r in rows
        )
        conn.execute(
            sa.insert(snapshots).values(
                etag=etag,
                customer_id=customer.customer_id,
                as_of=customer.snapshot_as_of,
                items=json.dumps(encode(snapshot), separators=(",", ":")),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_sightings", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_sightings_order")
    op.drop_table("invoice_sightings")
    with op.batch_alter_table("item_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_item_snapshots_customer")
    op.drop_table("item_snapshots")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("inputs")
