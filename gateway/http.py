"""HTTP plumbing: exact JSON numbers, and the one middleware: request ids, a body-size
cap, HTTP metrics."""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import metrics
from gateway.error_handlers import response_for
from policies.literals import loads_exact

MAX_BODY_BYTES = 1_048_576
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def decode_exact_json(body: bytes) -> Any:
    """JSON with its numbers exact (`policies.literals.loads_exact`): `12500.10` arrives
    as a Decimal, never as a float; a repeated key is refused.

    Any undecodable body raises json.JSONDecodeError (a repeated key its subclass
    DuplicateKeyError), as FastAPI expects of `json()`.
    """
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
        return loads_exact(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:
        # Huge integers and absurd nesting: still the client's bad JSON.
        raise json.JSONDecodeError(str(exc)[:200], "", 0) from None


class ExactJSONRequest(Request):
    """A request whose `json()` keeps numbers exact (`decode_exact_json`)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = decode_exact_json(await self.body())
        return self._json


class ExactJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact


class EdgeMiddleware:
    """What every HTTP request passes through, in one layer (each layer costs time on
    every request): a request id bound to the log lines and echoed in X-Request-ID
    (the caller's, if sane), a cap on the body (413 before anything reads it whole),
    and the request's rate and duration by route template."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        answered = False

        async def respond(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        length = headers.get(b"content-length")
        try:
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                await _too_large(scope, receive, respond, self.limit)
                return
            try:
                await self.app(scope, limited, respond)
            except BodyTooLarge:
                if answered:  # FastAPI's handlers answered it (see BodyTooLarge)
                    raise
                await _too_large(scope, receive, respond, self.limit)
        finally:
            _observe(scope, status, time.perf_counter() - started)


def _observe(scope: Scope, status: int, elapsed: float) -> None:
    route = scope.get("route")
    # Unmatched paths share one label: clients must not mint label values.
    template = getattr(route, "path", None) or "unmatched"
    method = scope["method"] if scope["method"] in _METHODS else "OTHER"
    metrics.child(metrics.HTTP_REQUESTS, template, method, f"{status // 100}xx").inc()
    metrics.child(metrics.HTTP_DURATION, template, method).observe(elapsed)


_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})


class BodyTooLarge(StarletteHTTPException):
    """The body passed the cap while it was being read (no Content-Length to refuse
    up front). An HTTP 413 error: raised inside FastAPI, where a route reads its own
    body, its handlers answer it (PAYLOAD_TOO_LARGE) before the server-error layer
    could turn it into a 500; raised on the fast path, the edge answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds {limit} bytes")


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = await response_for(Request(scope), BodyTooLarge(limit))
    await response(scope, receive, send)


class _RequestIds:
    """Unique request ids without a system call each: a random per-process prefix and a
    counter (uuid4 reads the kernel's random source on every request)."""

    def __init__(self) -> None:
        self._reset()
        # A forked worker must not repeat its parent's ids.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count(1)

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter):08x}"


_new_request_id = _RequestIds()
