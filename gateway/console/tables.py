"""Console sessions, kept server-side so that signing out ends them in every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from gateway.db.types import UtcDateTime


class ConsoleSessionRow(SQLModel, table=True):
    """One sign-in. The cookie carries a random id; the row is keyed by its hash, so
    the table alone (a backup, a read-only replica) cannot be replayed as cookies."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_expires", "expires_at"),)

    session_key: str = Field(primary_key=True, max_length=64)  # sha256 hex of the id
    principal: str = Field(max_length=64)
    role: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
