"""customer reserved total

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The customer row carries the sum of its orders' reservations, kept in the same
transaction as every write of an order's reservation (gateway.orders.repository),
so a check reads one row instead of summing the customer's open orders.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reserved", sa.BigInteger(), nullable=False, server_default="0")
        )
    # Money is stored scaled on both tables, so the sum carries over as it is.
    op.execute(
        "UPDATE customers SET reserved = (SELECT COALESCE(SUM(o.reserved), 0) FROM orders o "
        "WHERE o.customer_id = customers.customer_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("reserved")
