"""What both mock ERPs share: their books, the gateway call on every order, and faults.

A mock keeps customers, open items and sales orders in memory. Creating or
changing an order calls the gateway's adapter endpoint with the ERP-style payload
and applies the answer (blocked or released). The gateway's later release
notification releases a blocked order. Faults can be switched on for the sync
endpoints (latency, 5xx, timeouts, dropped connections, malformed bodies), so
tests and the demo can show what the gateway does then.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from adapters.mockbooks import (
    Books,
    ChangeIn,
    Faults,
    OpenItem,
    OrderIn,
    PaymentIn,
    SalesOrder,
)

log = logging.getLogger("mock")


@dataclass
class ErpStyle:
    """What differs between ERPs: names, payloads, paths."""

    erp: str
    adapter_path: str
    order_number: Callable[[int], str]
    build_payload: Callable[[SalesOrder, str | None], tuple[bytes, str]]
    blocked_in: Callable[[dict[str, Any]], bool]
    reasons_in: Callable[[dict[str, Any]], list[str]]


def build_app(
    books: Books,
    style: ErpStyle,
    gateway_url: str,
    api_key: str,
    register: Callable[[FastAPI, Books], None],
) -> FastAPI:
    gateway = httpx.AsyncClient(
        base_url=gateway_url, timeout=5, headers={"Authorization": f"Bearer {api_key}"}
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await gateway.aclose()

    app = FastAPI(title=f"Mock {style.erp} ERP", lifespan=lifespan)
    sync_paths: set[str] = set()
    app.state.sync_paths = sync_paths
    app.state.books = books

    @app.middleware("http")
    async def faults(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not any(request.url.path.startswith(p) for p in sync_paths):
            return await call_next(request)
        f = books.faults
        if f.latency_ms:
            await asyncio.sleep(f.latency_ms / 1000)
        roll = random.random()
        if roll < f.timeout_rate:
            await asyncio.sleep(30)
        elif roll < f.timeout_rate + f.error_rate:
            return JSONResponse({"error": "injected fault"}, status_code=503)
        elif roll < f.timeout_rate + f.error_rate + f.drop_rate:
            return StreamingResponse(_dropped(), media_type="application/json")
        elif roll < f.timeout_rate + f.error_rate + f.drop_rate + f.malformed_rate:
            return Response(b'{"d": {"results": [ {"broken', media_type="application/json")
        return await call_next(request)

    async def check(order: SalesOrder, token: str | None) -> SalesOrder:
        content, ctype = style.build_payload(order, token)
        try:
            r = await gateway.post(
                style.adapter_path, content=content, headers={"Content-Type": ctype}
            )
            answer = r.json()
            if r.status_code != 200:
                order.status, order.reasons = "check_failed", [str(answer)[:200]]
                return order
        except (httpx.HTTPError, ValueError) as exc:
            # No answer, no release: the ERP keeps the order blocked.
            order.status, order.reasons = "check_failed", [type(exc).__name__]
            return order
        order.answer = answer
        order.status = "blocked" if style.blocked_in(answer) else "released"
        order.reasons = style.reasons_in(answer)
        log.info(
            "order %s rev %d customer %s %s %s: %s %s",
            order.order_id,
            order.revision,
            order.customer_id,
            order.amount,
            order.currency,
            order.status,
            " ".join(order.reasons),
        )
        return order

    @app.post("/orders", status_code=201)
    async def create_order(body: OrderIn) -> dict[str, Any]:
        customer = books.customers.get(body.customer_id)
        currency = body.currency or (customer.currency if customer else "EUR")
        order = SalesOrder(
            style.order_number(books.next_order), body.customer_id, body.amount, currency
        )
        books.next_order += 1
        books.orders[order.order_id] = order
        return _order_json(await check(order, body.override_token))

    @app.post("/orders/{order_id}/change")
    async def change_order(order_id: str, body: ChangeIn) -> dict[str, Any]:
        order = _find(books, order_id)
        order.amount, order.revision = body.amount, order.revision + 1
        return _order_json(await check(order, body.override_token))

    @app.post("/orders/{order_id}/recheck")
    async def recheck(order_id: str, body: ChangeIn | None = None) -> dict[str, Any]:
        order = _find(books, order_id)
        return _order_json(await check(order, body.override_token if body else None))

    @app.get("/orders/{order_id}")
    async def get_order(order_id: str) -> dict[str, Any]:
        return _order_json(_find(books, order_id))

    @app.get("/orders")
    async def list_orders() -> dict[str, Any]:
        return {"orders": [_order_json(o) for o in books.orders.values()]}

    @app.post("/orders/{order_id}/invoice")
    async def invoice(order_id: str) -> dict[str, Any]:
        order = _find(books, order_id)
        if order.status != "released":
            raise HTTPException(409, f"order {order_id} is {order.status}, not released")
        item = books.invoice(order, date.today())
        log.info("order %s invoiced as %s, due %s", order_id, item.item_id, item.due)
        return _item_json(item)

    @app.post("/payments")
    async def payment(body: PaymentIn) -> dict[str, Any]:
        if body.customer_id not in books.customers:
            raise HTTPException(404, "unknown customer")
        cleared = books.pay(body.customer_id, body.amount)
        log.info("payment %s from %s clears %s", body.amount, body.customer_id, cleared or "-")
        return {"cleared": cleared}

    @app.get("/_customers")
    async def customers() -> dict[str, Any]:
        """The demo's view of the books: who is in trouble, what each one owes."""
        today = date.today()
        return {
            "customers": [
                {
                    "customer_id": c.customer_id,
                    "name": c.name,
                    "credit_limit": str(c.limit),
                    "currency": c.currency,
                    "grade": c.grade,
                    "payment_terms_days": c.terms_days,
                    "troubled": books.troubled(c, today),
                    "open_amount": str(books.open_amount(c.customer_id)),
                }
                for c in books.customers.values()
            ]
        }

    @app.post("/_faults")
    async def set_faults(body: Faults) -> dict[str, Any]:
        books.faults = body
        return body.model_dump()

    @app.delete("/_faults")
    async def clear_faults() -> dict[str, Any]:
        books.faults = Faults()
        return books.faults.model_dump()

    @app.get("/_stats")
    async def stats() -> dict[str, Any]:
        counts: dict[str, int] = {}
        for o in books.orders.values():
            counts[o.status] = counts.get(o.status, 0) + 1
        return {"orders": counts, "customers": len(books.customers)}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    register(app, books)
    return app


async def _dropped() -> Any:
    yield b'{"d": '
    raise ConnectionResetError("injected: connection dropped")


def _find(books: Books, order_id: str) -> SalesOrder:
    order = books.orders.get(order_id)
    if order is None:
        raise HTTPException(404, f"order {order_id} not found")
    return order


def _item_json(i: OpenItem) -> dict[str, Any]:
    return {
        "item_id": i.item_id,
        "customer_id": i.customer_id,
        "amount": str(i.amount),
        "currency": i.currency,
        "due": i.due.isoformat(),
        "order_id": i.order_id,
    }


def _order_json(o: SalesOrder) -> dict[str, Any]:
    return {
        "order_id": o.order_id,
        "customer_id": o.customer_id,
        "amount": str(o.amount),
        "currency": o.currency,
        "revision": o.revision,
        "status": o.status,
        "reasons": o.reasons,
    }


def serve(create_app: Callable[[str, str], FastAPI], description: str, default_port: int) -> None:
    """The mocks' command line: parse the arguments, run the app until Ctrl-C."""
    import uvicorn

    args = cli(description, default_port)
    # One line per order checked, invoice and payment: the demo's logs show the ERP side.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn.run(
        create_app(args.gateway_url, args.api_key),
        host=args.host,
        port=args.port,
        log_level="warning",
    )


def cli(description: str, default_port: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--gateway-url", default="http://127.0.0.1:8080")
    parser.add_argument("--api-key", required=True, help="the gateway key of role erp")
    return parser.parse_args()
