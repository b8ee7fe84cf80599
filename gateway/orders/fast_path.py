"""The check's way in: every POST /v1/orders/check is served here, outside FastAPI.

Nearly every request an ERP sends is a check, and FastAPI's per-request layers
(exception and exit-stack middleware, routing, dependency resolution, body handling)
cost more than the check's own work (bench/RESULTS.md). This ASGI layer reads the body,
admits it with `gateway.orders.edge.admit_check` (the one implementation of the check's
edge, which the declared route in `routes.py` calls too) and checks the order; every
error, the edge's (401, 403, 422) and the check's own (a conflict, the database down),
is answered by the app's one set of handlers (`error_handlers.response_for`). Other
methods and paths go to FastAPI unchanged (a GET here is FastAPI's 405); the route stays
the contract's description (OpenAPI).
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.error_handlers import response_for
from gateway.orders.edge import admit_check
from gateway.orders.routes import decide
from gateway.orders.routes import router as orders_router
from gateway.resources import Resources

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
        scope["route"] = self.route
        app = scope["app"]
        res: Resources = app.state.resources
        try:
            admitted = admit_check(scope["headers"], body, app.state.keyring)
            scope.setdefault("state", {})["principal"] = admitted.principal
            result = await decide(res, admitted.order)
        except Exception as exc:
            # Answered here, an unexpected error included (its handler logs the
            # traceback).
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


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
