"""controller release, customer watches, override releases

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07

The credit controller releases approved unfreeze requests (status released, with the
figures at release); a rejection keeps who and why; a payment in transit or a
repayment plan is watched on the customer's next checks; an order's override release
is kept for release validity.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_REQUEST_COLUMNS = (
    ("decided_by", sa.String(length=64)),
    ("decided_role", sa.String(length=32)),
    ("decision_comment", sa.Text()),
    ("released_at", sa.DateTime(timezone=True)),
    ("released_by", sa.String(length=64)),
    ("release_decision_id", sa.String(length=36)),
    ("release_figures", sa.Text()),
    ("bank_reference", sa.String(length=100)),
)


def upgrade() -> None:
    with op.batch_alter_table("unfreeze_requests", schema=None) as batch_op:
        for name, type_ in _REQUEST_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    op.create_table(
        "customer_watches",
        sa.Column("watch_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("watch_id"),
    )
    with op.batch_alter_table("customer_watches", schema=None) as batch_op:
        batch_op.create_index("ix_customer_watches_open", ["customer_id", "status"], unique=False)
    op.create_table(
        "override_releases",
        sa.Column("erp", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("overdue_figure", sa.BigInteger(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("erp", "order_id"),
    )


def downgrade() -> None:
    op.drop_table("override_releases")
    with op.batch_alter_table("customer_watches", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_watches_open")
    op.drop_table("customer_watches")
    with op.batch_alter_table("unfreeze_requests", schema=None) as batch_op:
        for name, _ in reversed(_REQUEST_COLUMNS):
            batch_op.drop_column(name)
