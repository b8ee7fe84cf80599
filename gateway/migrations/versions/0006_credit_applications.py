"""credit applications

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Credit applications and their approvals (seed 004 2.1.4, 2.2), and the customer's
temporary limit: the day it ends and the limit that applies again after it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("temporary_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("limit_before_temporary", sa.BigInteger(), nullable=True))
    op.create_table(
        "credit_applications",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("requester_role", sa.String(length=32), nullable=False),
        sa.Column("required_roles", sa.String(length=200), nullable=False),
        sa.Column("ratify_roles", sa.String(length=200), nullable=False),
        sa.Column("proposed", sa.Text(), nullable=False),
        sa.Column("current", sa.Text(), nullable=True),
        sa.Column("payment_terms_basis", sa.String(length=16), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("forecast_monthly_sales", sa.BigInteger(), nullable=True),
        sa.Column("suggested_limit", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Text(), nullable=True),
        sa.Column("score_total", sa.Integer(), nullable=True),
        sa.Column("score_grade", sa.String(length=1), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("application_id"),
    )
    with op.batch_alter_table("credit_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_applications_status", ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_credit_applications_customer", ["customer_id", "created_at"], unique=False
        )
    op.create_table(
        "credit_application_approvals",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("principal", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id", "role"),
    )


def downgrade() -> None:
    op.drop_table("credit_application_approvals")
    with op.batch_alter_table("credit_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_applications_customer")
        batch_op.drop_index("ix_credit_applications_status")
    op.drop_table("credit_applications")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("limit_before_temporary")
        batch_op.drop_column("temporary_until")
