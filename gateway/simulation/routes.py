"""POST /v1/simulations: a candidate policy replayed over the recorded checks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from gateway.auth import Principal, require
from gateway.config import ConfigError
from gateway.errors import InvalidInput
from gateway.http import ExactJSONRoute
from gateway.resources import Resources, resources
from gateway.schemas import DateOnly, RequestModel
from gateway.simulation.schemas import SimulationOut
from gateway.simulation.service import candidate_policy, simulate
from policies.roles import Role

router = APIRouter(prefix="/v1/simulations", tags=["simulation"], route_class=ExactJSONRoute)
Res = Annotated[Resources, Depends(resources)]
analysts = require(Role.ADMIN, Role.FINANCE_MANAGER, Role.CREDIT_CONTROLLER)


class SimulationIn(RequestModel):
    config_toml: str = Field(max_length=1_000_000)
    since: DateOnly | None = None
    until: DateOnly | None = None


@router.post(
    "",
    response_model=SimulationOut,
    response_model_exclude_unset=True,  # outcomes' days_late only where orders paid late
    responses={200: {"description": "the candidate's report"}},
)
def run_simulation(
    body: SimulationIn, res: Res, _: Annotated[Principal, Depends(analysts)]
) -> dict[str, Any]:
    if body.since and body.until and body.since > body.until:
        raise InvalidInput(
            f"since {body.since} is after until {body.until}",
            code="INVALID_WINDOW",
            details=[{"field": "body.since", "message": "after until"}],
        )
    try:
        policy = candidate_policy(body.config_toml, res.config)
    except ConfigError as exc:
        raise InvalidInput(
            f"candidate config is invalid: {exc}",
            code="INVALID_CONFIG",
            details=[{"field": "body.config_toml", "message": str(exc)}],
        ) from None
    today = res.clock().astimezone(res.config.timezone).date()
    return simulate(res.uow, policy, res.config, since=body.since, until=body.until, today=today)
