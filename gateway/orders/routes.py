"""The ERP's endpoints: check an order, cancel one."""

from __future__ import annotations

import time
from typing import Annotated, Any

import anyio
import structlog
from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.exc import IntegrityError

from gateway import metrics
from gateway.auth import Principal, require, require_erp_scope
from gateway.http import ExactJSONRoute
from gateway.openapi import request_body
from gateway.orders import cancellation
from gateway.orders.answer import CheckOut
from gateway.orders.context import CheckContext, CheckResult
from gateway.orders.edge import admit_check
from gateway.orders.group_fx import MembershipChanged
from gateway.orders.schemas import CancelOut, CheckIn
from gateway.orders.service import check_order
from gateway.resources import Resources, resources
from gateway.schemas import ERP_NAME_PATTERN, IDENTIFIER_PATTERN
from policies.roles import Role

log = structlog.get_logger("gateway.check")
router = APIRouter(prefix="/v1/orders", tags=["orders"], route_class=ExactJSONRoute)
Res = Annotated[Resources, Depends(resources)]
erp_only = require(Role.ERP)
KNOWN_ERPS = frozenset({"sap", "baan"})


def erp_label(erp: str) -> str:
    # ERP names come from clients: keep the metric label set closed.
    return erp if erp in KNOWN_ERPS else "other"


@router.post(
    "/check",
    response_model=CheckOut,
    responses={200: {"description": "release or hold, with the figures"}},
    openapi_extra={"requestBody": request_body(CheckIn)},
)
async def check(request: Request) -> Response:
    # gateway.orders.fast_path serves every POST here before FastAPI routes it; this
    # route describes the contract (OpenAPI), and answers alike, through the same edge,
    # wherever the app is mounted without it.
    admitted = admit_check(
        request.scope["headers"], await request.body(), request.app.state.keyring
    )
    request.state.principal = admitted.principal
    result = await decide(request.app.state.resources, admitted.order)
    return Response(result.body, media_type="application/json")


async def decide(res: Resources, body: CheckIn) -> CheckResult:
    """Check the order and record the decision; observed (metrics, log line)."""
    structlog.contextvars.bind_contextvars(erp=body.erp, order_id=body.order_id)
    if res.group_commit is None:
        return await anyio.to_thread.run_sync(run_check, res, body, limiter=res.check_threads)
    # SQLite: the check joins the next group commit, on the event loop.
    started = time.perf_counter()
    ctx = res.check_context()
    result = await res.uow.submit(lambda conn: check_order(conn, body, ctx))
    observe(body, result, started, res.settings.decision_log)
    shadow(res, result)
    return result


def run_check(res: Resources, body: CheckIn) -> CheckResult:
    """The check in a transaction of its own, observed; the ERP adapter routes use it too."""
    started = time.perf_counter()
    structlog.contextvars.bind_contextvars(erp=body.erp, order_id=body.order_id)
    result = _check_with_retry(res, body, res.check_context())
    observe(body, result, started, res.settings.decision_log)
    shadow(res, result)
    return result


def shadow(res: Resources, result: CheckResult) -> None:
    """Shadow mode ([shadow] config): decided again after the commit, answer unchanged."""
    if res.shadow is not None and result.inputs is not None and not result.replayed:
        res.shadow.decide(result.inputs, result.decision_id, result.outcome, result.reasons)


def observe(body: CheckIn, result: CheckResult, started: float, log_mode: str) -> None:
    """The metrics of an acknowledged check, and its log line as `GATEWAY_DECISION_LOG`
    says: `holds` logs every hold and every release that carries reasons (an override)."""
    elapsed = time.perf_counter() - started
    label = erp_label(body.erp)
    if result.replayed:
        metrics.child(metrics.REPLAYS, label).inc()
    else:
        metrics.child(metrics.CHECKS, label, result.outcome).inc()
        metrics.child(metrics.DECISION_DURATION, label).observe(elapsed)
        if result.balance_age_seconds is not None:
            metrics.child(metrics.BALANCE_AGE, label).observe(result.balance_age_seconds)
        for reason in result.reasons or ("none",):
            metrics.child(metrics.DECISIONS, label, result.outcome, reason).inc()
    if log_mode == "none" or (log_mode == "holds" and not result.reasons):
        return
    log.info(
        "order_checked",
        decision_id=result.decision_id,
        outcome=result.outcome,
        reasons=list(result.reasons),
        replayed=result.replayed,
        revision=body.revision,
        latency_ms=round(elapsed * 1000, 3),
    )


def _check_with_retry(res: Resources, body: CheckIn, ctx: CheckContext) -> CheckResult:
    # PostgreSQL: BEGIN goes with the reads, COMMIT with the writes (gateway.db.pipeline).
    try:
        with res.uow.check_tx() as conn:
            return check_order(conn, body, ctx)
    except (IntegrityError, MembershipChanged):
        # Two first checks of the same order raced where no customer row could be
        # locked (an unknown customer): the loser replays the winner's answer. Or the
        # customer joined or left a credit group meanwhile: checked again, in it.
        with res.uow.write() as conn:
            return check_order(conn, body, ctx)


@router.post("/{erp}/{order_id}/cancel", response_model=CancelOut)
def cancel(
    erp: Annotated[str, Path(pattern=ERP_NAME_PATTERN)],
    order_id: Annotated[str, Path(max_length=64, pattern=IDENTIFIER_PATTERN)],
    res: Res,
    who: Annotated[Principal, Depends(erp_only)],
) -> dict[str, Any]:
    require_erp_scope(who, erp)
    result = cancellation.cancel(res.uow, erp, order_id, res.clock())
    log.info("order_cancelled", erp=erp, order_id=order_id)
    return result
