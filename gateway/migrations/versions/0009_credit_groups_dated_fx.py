"""credit groups and dated fx rates

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-07

Credit groups (a limit shared by member customers, one group per customer) and dated
exchange rates with the version row that keys each process's in-memory copy.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_groups",
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_limit", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id"),
    )
    op.create_table(
        "credit_group_members",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    with op.batch_alter_table("credit_group_members", schema=None) as batch_op:
        batch_op.create_index("ix_credit_group_members_group", ["group_id"], unique=False)
    op.create_table(
        "fx_rates",
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("rate_date", "currency"),
    )
    fx_state = op.create_table(
        "fx_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(fx_state, [{"id": 1, "version": "initial"}])


def downgrade() -> None:
    op.drop_table("fx_state")
    op.drop_table("fx_rates")
    with op.batch_alter_table("credit_group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_group_members_group")
    op.drop_table("credit_group_members")
    op.drop_table("credit_groups")
