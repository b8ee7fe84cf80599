"""Dated exchange rates, and the version a process's in-memory copy is keyed by."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class FxRateRow(SQLModel, table=True):
    """1 base unit = `rate` units of `currency` from `rate_date` on (until a later one)."""

    __tablename__ = "fx_rates"

    rate_date: date = Field(primary_key=True)
    currency: str = Field(primary_key=True, max_length=3)
    rate: str = Field(max_length=40)  # the decimal as quoted, exact


class FxStateRow(SQLModel, table=True):
    """One row (id 1): `version` changes, to a fresh random value, with every write of
    fx_rates, in the same transaction (see gateway.fx.cache)."""

    __tablename__ = "fx_state"

    id: int = Field(primary_key=True)
    version: str = Field(max_length=32)
