"""The check's fast path: the ordinary check skips FastAPI's per-request machinery.

Nearly every request an ERP sends is a well-formed check with a valid key, and for
those FastAPI's layers (exception and exit-stack middleware, routing, dependency
resolution, body handling) cost more than the check's own work (bench/RESULTS.md).
This ASGI layer serves a check itself only when it is exactly that ordinary case:
POST /v1/orders/check, a JSON content type or none, a key with the ERP role, a body that
validates as `CheckIn` for an ERP the key may act for. Every other request goes, with its
body, to the FastAPI app unchanged, so each error answer (401, 403, 422, 405, ...) still
comes from FastAPI and the one set of handlers, in FastAPI's order; the route in
`routes.py` stays the contract (OpenAPI) and the reference. Errors of the check itself
(a conflict, the database down) are answered by those same handlers
(`error_handlers.response_for`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth import KeyRing, bearer_principal
from gateway.error_handlers import declares_json, response_for
from gateway.errors import Unauthenticated
from gateway.http import decode_exact_json
from gateway.orders.routes import decide
from gateway.orders.routes import router as orders_router
from gateway.orders.schemas import CheckIn
from gateway.resources import Resources
from policies.roles import Role

CHECK_PATH = "/v1/orders/check"
_JSON_HEADERS = [(b"content-type", b"application/json")]


class CheckFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The declared route: metrics and error handlers label requests by its path.
        self.route = next(r for r in orders_router.routes if getattr(r, "path", "") == CHECK_PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _route_path(scope) != CHECK_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away before sending it all
            return
        app = scope["app"]
        order = _ordinary_check(scope, body, app.state.keyring)
        if order is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = self.route
        res: Resources = app.state.resources
        try:
            result = await decide(res, order)
        except Exception as exc:
            # Answered here, an unexpected error included (its handler logs the
            # traceback); on FastAPI's path uvicorn logs such an error once more.
            response = await response_for(Request(scope), exc)
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_JSON_HEADERS, (b"content-length", str(len(result.body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": result.body})


def _route_path(scope: Scope) -> str:
    """The path the routes match: behind a prefix (uvicorn --root-path) the scope's path
    carries it, as ASGI says, and routing strips it off (as Starlette's does)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _ordinary_check(scope: Scope, body: bytes, keyring: KeyRing) -> CheckIn | None:
    """The check, if the request is the ordinary case; None hands it to FastAPI."""
    # A header sent twice counts as its first, as Starlette (and so the route) reads it.
    content_type = authorization = None
    for name, value in scope["headers"]:
        if name == b"content-type" and content_type is None:
            content_type = value
        elif name == b"authorization" and authorization is None:
            authorization = value
    # No content type is read as JSON, as the route reads it (strict_content_type off).
    if content_type and not declares_json(content_type.decode("latin-1")):
        return None
    try:
        principal = bearer_principal(keyring, (authorization or b"").decode("latin-1"))
    except Unauthenticated:
        return None
    if principal.role is not Role.ERP:
        return None
    try:
        data: Any = decode_exact_json(body)
        order = CheckIn.model_validate(data)
    except (json.JSONDecodeError, ValidationError):
        return None
    if not principal.may_act_for(order.erp):  # the route refuses it (ERP_SCOPE)
        return None
    scope.setdefault("state", {})["principal"] = principal
    return order


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app after the body was read here: the body once, then the rest."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
