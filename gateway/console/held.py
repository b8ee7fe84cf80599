"""The held-orders workbench: every held order, paged, sorted and searched on the
server, its state in the URL; a sales rep's own requests first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from gateway.console import queries
from gateway.console import service as console
from gateway.console.labels import EXPLAIN
from gateway.console.web import Res, S, page
from policies.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/held", response_class=HTMLResponse)
def held(
    request: Request,
    res: Res,
    session: S,
    q: str = "",
    customer: str = "",
    erp: str = "",
    reason: str = "",
    sort: str = "newest",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    me = session.principal
    wanted = queries.HeldQuery(
        search=q.strip()[:64],
        customer=customer[:64],
        erp=erp[:32],
        reason=reason if reason in EXPLAIN else "",
        sort=sort if sort in queries.SORTS else "newest",
        page=page_no,
        requester=me.name if me.role is Role.SALES else None,
    )
    orders, total = console.held_orders(res.uow, wanted)
    pages = max(1, -(-total // wanted.per_page))
    return page(
        request,
        res,
        "held.html",
        session,
        orders=orders,
        total=total,
        query=wanted,
        pages=pages,
        sorts=queries.SORTS,
        filters={"q": q, "customer": customer, "erp": erp, "reason": wanted.reason, "sort": sort},
    )
