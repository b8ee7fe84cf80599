"""Liveness, readiness and the Prometheus exposition (no key needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.ops.exposition import DatabaseGauges, balance_freshness, render
from gateway.ops.schemas import HealthOut, NotReadyOut, ReadyOut
from gateway.resources import Resources, resources
from gateway.sync.runner import sync_status

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={503: {"model": NotReadyOut, "description": "Not ready (database unreachable)"}},
)
def readyz(res: Annotated[Resources, Depends(resources)]) -> Response:
    checks: dict[str, str] = {"config": "ok"}
    try:
        # A probe, not a use case: can the unit of work open a transaction at all?
        with res.uow.read() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
    if ready:
        # For information: stale balances hold orders, they do not make us unready.
        body["syncs"] = sync_status(res.uow)
        body["balances"] = balance_freshness(
            res.engine, res.clock(), res.config.policy.stale_after.total_seconds()
        )
        body["configured_erps"] = sorted(res.syncs)
    return JSONResponse(body, status_code=200 if ready else 503)


# Not JSON: the Prometheus text exposition (a media type, no model; the OpenAPI test's
# allow-list names it).
@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {CONTENT_TYPE_LATEST.split(";")[0]: {}},
            "description": "Prometheus text exposition",
        }
    },
)
def prometheus_metrics(res: Annotated[Resources, Depends(resources)]) -> Response:
    stale_after = res.config.policy.stale_after.total_seconds()
    body = render(DatabaseGauges(res.engine, res.clock(), stale_after))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
