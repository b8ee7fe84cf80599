"""customer items etag

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Every replacement of a customer's open items stamps a fresh random etag on the
customer row, so a process may keep the items in memory and reuse them for as long
as the row it reads (and locks) in each check still carries the same etag.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("items_etag", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("items_etag")
