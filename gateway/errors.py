"""The gateway's error tree: one base, each error knows its HTTP status and stable code.

Library errors (SQLAlchemy, pydantic, policies' domain errors) are translated into
these at the boundary; `gateway.error_handlers` turns them into the contract's JSON.
"""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    """Base of every error the API reports. `code` is stable; clients key on it."""

    status: int = 400
    code: str = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidInput(GatewayError):
    """A payload that parsed but breaks a rule the schema cannot express (422)."""

    status = 422
    code = "VALIDATION_ERROR"


class Unauthenticated(GatewayError):
    status = 401
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    status = 403
    code = "FORBIDDEN"


class NotFound(GatewayError):
    status = 404
    code = "NOT_FOUND"


class Conflict(GatewayError):
    """The request is valid but contradicts stored state (409)."""

    status = 409
    code = "CONFLICT"


class Unavailable(GatewayError):
    """A dependency (the database) cannot be reached: retry later, never a release."""

    status = 503
    code = "SERVICE_UNAVAILABLE"
