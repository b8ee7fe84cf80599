"""The adapters' error tree, small on purpose.

    AdapterError
    ├── PayloadError          an inbound ERP payload we refuse (stable `code`, 4xx)
    └── ErpError              talking to an ERP failed
        ├── TransientErpError timeouts, connection errors, 5xx, 429: retried
        └── PermanentErpError other 4xx, undecodable bodies: never retried

httpx's exceptions are translated into these at the client boundary
(`adapters.http`), so nothing above it needs to know httpx.
"""

from __future__ import annotations


class AdapterError(Exception):
    """Base of every adapter error."""


class PayloadError(AdapterError):
    """An inbound payload that is malformed, hostile or too large."""

    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class ErpError(AdapterError):
    """Talking to an ERP failed."""


class TransientErpError(ErpError):
    """Timeouts, connection errors, 5xx, 429: worth retrying."""


class PermanentErpError(ErpError):
    """Other 4xx, undecodable bodies: retrying will not help."""
