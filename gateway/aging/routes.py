"""`GET /v1/customers/{id}/aging` and `PUT /v1/customers/{id}/sales`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from gateway.aging import service
from gateway.aging.schemas import AgingOut, SalesIn, SalesOut
from gateway.auth import Principal, require
from gateway.http import ExactJSONRoute
from gateway.resources import Resources, resources
from gateway.schemas import IDENTIFIER_PATTERN
from policies.roles import OVERSEERS, Role

router = APIRouter(prefix="/v1/customers", tags=["aging"], route_class=ExactJSONRoute)
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)]
Res = Annotated[Resources, Depends(resources)]
reader = require(Role.ERP, *OVERSEERS)
writer = require(Role.ERP, Role.ADMIN)


@router.get("/{customer_id}/aging", response_model=AgingOut)
def get_aging(
    customer_id: CustomerId, res: Res, _: Annotated[Principal, Depends(reader)]
) -> dict[str, Any]:
    today = res.clock().astimezone(res.config.timezone).date()
    return service.customer_aging(res.uow, customer_id, today, res.config.raw.reports.vat_factor)


@router.put("/{customer_id}/sales", response_model=SalesOut)
def put_sales(
    customer_id: CustomerId,
    body: SalesIn,
    res: Res,
    _: Annotated[Principal, Depends(writer)],
) -> dict[str, Any]:
    return service.store_sales(res.uow, customer_id, body, res.clock())
