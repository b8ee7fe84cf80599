"""Credit groups: a limit shared by several customers (erp and admin keep them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from gateway.auth import Principal, require
from gateway.groups import service
from gateway.groups.schemas import CreditGroupIn, CreditGroupOut
from gateway.http import ExactJSONRoute
from gateway.resources import Resources, resources
from gateway.schemas import IDENTIFIER_PATTERN
from policies.roles import OVERSEERS, Role

router = APIRouter(prefix="/v1/credit-groups", tags=["credit groups"], route_class=ExactJSONRoute)
GroupId = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)]
Res = Annotated[Resources, Depends(resources)]
writer = require(Role.ERP, Role.ADMIN)
reader = require(Role.ERP, *OVERSEERS)


@router.put("/{group_id}", response_model=CreditGroupOut)
def put_group(
    group_id: GroupId, body: CreditGroupIn, res: Res, who: Annotated[Principal, Depends(writer)]
) -> dict[str, Any]:
    """Create or replace the group; a customer is in at most one group (409
    CUSTOMER_IN_OTHER_GROUP). Answers the group with its figures."""
    now = res.clock()
    today = now.astimezone(res.config.timezone).date()
    fx = res.config.policy.fx
    return service.store_group(res.uow, group_id, body, res.fx_rates, fx, who, now, today)


@router.get("/{group_id}", response_model=CreditGroupOut)
def get_group(
    group_id: GroupId, res: Res, _: Annotated[Principal, Depends(reader)]
) -> dict[str, Any]:
    today = res.clock().astimezone(res.config.timezone).date()
    return service.show_group(res.uow, group_id, res.fx_rates, res.config.policy.fx, today)
