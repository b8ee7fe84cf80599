"""`GET /v1/portfolio`: the credit portfolio in the FX base currency."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from gateway.auth import Principal, require
from gateway.db.engine import read_tx
from gateway.fx.cache import current_rates
from gateway.http import ExactJSONRoute
from gateway.portfolio import service
from gateway.resources import Resources, resources
from policies.roles import Role

router = APIRouter(prefix="/v1", tags=["portfolio"], route_class=ExactJSONRoute)
Res = Annotated[Resources, Depends(resources)]
reader = require(
    Role.FINANCE_MANAGER,
    Role.CREDIT_CONTROLLER,
    Role.CFO,
    Role.GENERAL_MANAGER,
    Role.ADMIN,
)


@router.get("/portfolio")
def get_portfolio(res: Res, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
    """Every customer's limit, exposure and aging summed in the FX base currency, the
    portfolio's DSO (intercompany customers left out), held orders and the lists the
    committee looks at."""
    now = res.clock()
    today = now.astimezone(res.config.timezone).date()
    with read_tx(res.engine) as conn:
        dated = current_rates(conn, res.fx_rates, res.config.policy.fx)
        fx = res.fx_rates.on(dated, today)
        return service.portfolio_view(
            conn, res.config.policy, fx, today, now, res.config.raw.reports.vat_factor
        )
