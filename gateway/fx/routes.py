"""Dated exchange rates: finance (and the ERP that owns them) put a day's rates."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from gateway.auth import Principal, require
from gateway.fx import service
from gateway.fx.schemas import DayRatesOut, FxRatesIn, RatesOnDayOut
from gateway.http import ExactJSONRoute
from gateway.resources import Resources, resources
from gateway.schemas import DateOnly
from policies.roles import OVERSEERS, Role

router = APIRouter(prefix="/v1/fx-rates", tags=["fx rates"], route_class=ExactJSONRoute)
Res = Annotated[Resources, Depends(resources)]
Day = Annotated[DateOnly, Path(description="the day the rates apply from, YYYY-MM-DD")]
writer = require(Role.FINANCE_MANAGER, Role.ADMIN, Role.ERP)
reader = require(*OVERSEERS, Role.ERP)


@router.put("/{rate_date}", response_model=DayRatesOut)
def put_rates(
    rate_date: Day, body: FxRatesIn, res: Res, who: Annotated[Principal, Depends(writer)]
) -> dict[str, Any]:
    """Replace the day's rates (1 base = rate units of the currency); audited."""
    day: date = rate_date
    return service.put_rates(res.uow, day, body, res.config.policy.fx, who, res.clock())


@router.get("/{rate_date}", response_model=RatesOnDayOut)
def get_rates(rate_date: Day, res: Res, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
    """The rate each configured currency converts at on that day, and its date."""
    return service.get_rates(res.uow, rate_date, res.config.policy.fx)
