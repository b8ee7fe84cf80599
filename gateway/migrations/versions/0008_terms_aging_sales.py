"""terms, aging and sales

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-07

Issue 24 (DESIGN §3b "Terms, notes, aging, DSO"): customers' terms basis, closing day
and group-company flag; open items' document and invoice dates and a note's days past
term; orders' own security and terms; net sales by month.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_terms_basis",
                sa.String(length=16),
                nullable=False,
                server_default="invoice",
            )
        )
        batch_op.add_column(sa.Column("closing_day", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("intercompany", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("open_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("invoice_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("days_past_term", sa.Integer(), nullable=True))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("security", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("payment_terms_days", sa.Integer(), nullable=True))
    op.create_table(
        "customer_sales",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "month"),
    )


def downgrade() -> None:
    op.drop_table("customer_sales")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("payment_terms_days")
        batch_op.drop_column("security")
    with op.batch_alter_table("open_items", schema=None) as batch_op:
        batch_op.drop_column("days_past_term")
        batch_op.drop_column("invoice_date")
        batch_op.drop_column("document_date")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("intercompany")
        batch_op.drop_column("closing_day")
        batch_op.drop_column("payment_terms_basis")
