"""Alembic environment: migrations run on the connection the gateway hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from gateway.balances import committee_tables  # noqa: F401
from gateway.console import tables as console_tables  # noqa: F401
from gateway.credit_applications import tables as credit_application_tables  # noqa: F401
from gateway.db import tables  # noqa: F401  (registers the tables on the metadata)
from gateway.fx import tables as fx_tables  # noqa: F401
from gateway.groups import tables as groups_tables  # noqa: F401
from gateway.recorder import tables as recorder_tables  # noqa: F401
from gateway.unfreeze import tables as unfreeze_tables  # noqa: F401

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
