"""The baseline: a bare FastAPI endpoint with the gateway's request model and a
response of the same shape, no database. The gateway's throughput is reported
as a ratio to this, measured in the same run with the same server settings.

`app` is the baseline: an `async def` endpoint, as the gateway's check is one, so
that neither side pays a thread hop the other does not. `sync_app` is the same
endpoint as a plain `def` (FastAPI runs it on its thread pool), reported for
reference only: ratios against it would flatter the gateway.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, Response

from gateway.http import ExactJSONRoute
from gateway.orders.schemas import CheckIn


def answer(body: CheckIn) -> Response:
    amount = str(body.amount)
    answer = {
        "decision_id": str(uuid.uuid4()),
        "erp": body.erp,
        "order_id": body.order_id,
        "revision": body.revision,
        "customer_id": body.customer_id,
        "outcome": "release",
        "reasons": [],
        "warnings": [],
        "exposure": {
            "currency": body.currency,
            "credit_limit": "100000.00",
            "open_items": "0.00",
            "open_orders": "0.00",
            "order_amount": amount,
            "total": amount,
            "available": "100000.00",
            "over_limit": "0.00",
            "overdue_amount": "0.00",
            "oldest_overdue_days": 0,
            "balance_as_of": datetime.now(UTC).isoformat(),
        },
        "override": None,
        "decided_at": datetime.now(UTC).isoformat(),
    }
    return Response(json.dumps(answer, separators=(",", ":")), media_type="application/json")


app = FastAPI()
app.router.route_class = ExactJSONRoute


@app.post("/v1/orders/check")
async def check(body: CheckIn) -> Response:
    return answer(body)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


sync_app = FastAPI()
sync_app.router.route_class = ExactJSONRoute


@sync_app.post("/v1/orders/check")
def check_in_thread_pool(body: CheckIn) -> Response:
    return answer(body)


@sync_app.get("/healthz")
def healthz_in_thread_pool() -> dict[str, str]:
    return {"status": "ok"}
