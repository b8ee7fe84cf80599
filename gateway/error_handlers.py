"""The one place errors become HTTP responses, in the contract's error shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway import metrics
from gateway.errors import GatewayError
from gateway.schemas import validation_code
from policies.literals import DuplicateKeyError

log = structlog.get_logger(__name__)
# On every 503: the ERP may retry the check in a second (it is idempotent).
RETRY_SOON = {"Retry-After": "1"}

_HTTP_CODES = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class _ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """The one error shape of the API."""

    error: _ErrorDetail


_ERROR = {"model": ErrorBody}
# Documented on every route, so clients (and schemathesis) know every answer's shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {**_ERROR, "description": "No or unknown API key"},
    403: {**_ERROR, "description": "The key's role may not do this"},
    404: {**_ERROR, "description": "Unknown resource"},
    409: {**_ERROR, "description": "Conflicts with stored state"},
    413: {**_ERROR, "description": "Body too large"},
    422: {**_ERROR, "description": "Invalid payload (with field paths)"},
    503: {**_ERROR, "description": "Database unreachable: retry"},
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        details.append(
            {
                "field": _field_path(loc),
                "message": err.get("msg", "invalid"),
                "type": err.get("type"),
            }
        )
    return details


async def _gateway_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GatewayError)
    # Unavailable for now: the ERP retries, as after a database error.
    headers = RETRY_SOON if exc.status == 503 else None
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), status_code=exc.status, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    if _declared_not_json(request) and any(d["field"] == "body" for d in details):
        # FastAPI hands such a body over unparsed, and it failed as "not a valid
        # dictionary". Still a 422, the contract's status for an invalid payload.
        return JSONResponse(
            error_body(
                "MALFORMED_JSON",
                "the body must be JSON, sent with Content-Type: application/json",
                details,
            ),
            status_code=422,
        )
    if isinstance(exc.__cause__, DuplicateKeyError):
        key = exc.__cause__.key
        return JSONResponse(
            error_body(
                "DUPLICATE_KEY",
                f"the key {key!r} appears twice in one object: which one is meant is unclear",
                [{"field": "body", "message": f"duplicate key {key!r}"}],
            ),
            status_code=422,
        )
    if any(d["type"] == "json_invalid" for d in details):
        return JSONResponse(
            error_body("MALFORMED_JSON", "request body is not valid JSON", details), status_code=422
        )
    code = validation_code(d["type"] for d in details)
    return JSONResponse(error_body(code, "request payload is invalid", details), status_code=422)


def declares_json(content_type: str) -> bool:
    """Whether a Content-Type value is one FastAPI parses as JSON: application/json or
    application/*+json, parameters aside. (The fast path asks the same question.)"""
    media = content_type.partition(";")[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _declared_not_json(request: Request) -> bool:
    declared = request.headers.get("content-type")
    # An empty value counts as none: FastAPI then reads the body as JSON.
    return bool(declared) and not declares_json(declared or "")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; a path served by
        # several routes (GET and POST apart) would advertise half its methods.
        allow = ", ".join(served_methods(request))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allow})
        headers = {"Allow": allow}
    code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers
    )


def served_methods(request: Request) -> list[str]:
    """Every method some route serves at this request's path, HEAD and OPTIONS included."""
    path = request.scope.get("path", "")
    methods: set[str] = {"OPTIONS"}
    for route in _leaf_routes(request.app.router.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def _leaf_routes(routes: Iterable[Any]) -> Iterator[Any]:
    # FastAPI keeps an included router whole (its routes under `original_router`).
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from _leaf_routes(inner.routes) if inner is not None else (route,)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # The database is down or refused the statement: answer 503 so the ERP retries.
    # Never a release by accident, and never a 500 that looks like our bug.
    route = request.scope.get("route")
    metrics.DB_ERRORS.labels(operation=getattr(route, "path", None) or "unmatched").inc()
    log.error("database_error", error=type(exc).__name__, detail=str(exc).splitlines()[0])
    return JSONResponse(
        error_body("DATABASE_UNAVAILABLE", "the database is unreachable; retry later"),
        status_code=503,
        headers=RETRY_SOON,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A bug, not bad input: keep the traceback in the log (under the request id) and
    # answer in the contract's shape without leaking internals.
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("INTERNAL_ERROR", "unexpected error; it has been logged"), status_code=500
    )


# By the exception's class; `Exception` itself goes to `_unexpected` (see `install`).
_HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    GatewayError: _gateway_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
    OperationalError: _database_error,
    DBAPIError: _database_error,
    PoolTimeout: _database_error,  # every connection busy: unavailable for now
}


def install(app: FastAPI) -> None:
    for exc_class, handler in _HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
    app.add_exception_handler(Exception, _unexpected)


async def response_for(request: Request, exc: Exception) -> Response:
    """The answer the app's handlers give `exc`, for code that runs outside FastAPI
    (the check's fast path), an unexpected error included."""
    for exc_class in type(exc).__mro__:
        handler = _HANDLERS.get(exc_class)
        if handler is not None:
            return await handler(request, exc)
    return await _unexpected(request, exc)
