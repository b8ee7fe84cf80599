"""Adapter errors (placeholder until the adapters branch lands; same names and meaning)."""

from __future__ import annotations


class AdapterError(Exception):
    """Base of every adapter error."""


class ErpError(AdapterError):
    """Talking to an ERP failed."""


class TransientErpError(ErpError):
    """Timeouts, connection errors, 5xx, 429: worth retrying."""


class PermanentErpError(ErpError):
    """Other 4xx, undecodable bodies: retrying will not help."""
