"""orders carry the currency of their figures

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-08

An order's stored amount, invoiced part and reservation are in the currency it was
checked in (the customer's credit currency then, or the order's own while the customer
was unknown). Until now that currency was read back out of the latest decision's stored
JSON answer; the ledger now stores it (issue 21). Existing orders take it from that
answer, as the code did.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT o.erp, o.order_id, d.response, c.currency AS customer_currency "
            "FROM orders o LEFT JOIN decisions d ON d.decision_id = o.decision_id "
            "LEFT JOIN customers c ON c.customer_id = o.customer_id"
        )
    ).all()
    update = sa.text("UPDATE orders SET currency = :currency WHERE erp = :erp AND order_id = :oid")
    for row in rows:
        currency = row.customer_currency
        if row.response is not None:
            currency = json.loads(row.response)["exposure"]["currency"]
        conn.execute(update, {"currency": currency or "XXX", "erp": row.erp, "oid": row.order_id})
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("currency", existing_type=sa.String(length=3), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("currency")
