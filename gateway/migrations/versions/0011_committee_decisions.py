"""credit committee decisions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

The credit committee's decisions per customer and month (DESIGN §3b "Portfolio and
committee", issue 25 item 1b): stop shipments until paid, a term change to file, an
extension.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_decisions",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("was_blocked", sa.Boolean(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    with op.batch_alter_table("committee_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_committee_decisions_month", ["month", "customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_committee_decisions_customer", ["customer_id", "kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("committee_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_committee_decisions_customer")
        batch_op.drop_index("ix_committee_decisions_month")
    op.drop_table("committee_decisions")
