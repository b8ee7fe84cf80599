"""Sync on demand and sync status (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from gateway.auth import Principal, require
from gateway.errors import NotFound
from gateway.resources import Resources, resources
from gateway.sync.runner import sync_status
from gateway.sync.schemas import SyncReportOut, SyncStatusOut
from policies.roles import Role

router = APIRouter(prefix="/v1/sync", tags=["sync"])
Res = Annotated[Resources, Depends(resources)]
admin = require(Role.ADMIN)
watcher = require(Role.ADMIN, Role.FINANCE_MANAGER)


@router.post("/{erp}", response_model=SyncReportOut)
async def sync_now(
    erp: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_\-]{0,31}$")],
    res: Res,
    _: Annotated[Principal, Depends(admin)],
) -> dict[str, Any]:
    runner = res.syncs.get(erp)
    if runner is None:
        raise NotFound(f"no enabled ERP adapter named {erp!r}", code="ERP_NOT_CONFIGURED")
    report = await runner.run_once(force=True)
    return report.as_json()


@router.get("", response_model=SyncStatusOut)
def status(res: Res, _: Annotated[Principal, Depends(watcher)]) -> dict[str, Any]:
    return {"erps": sync_status(res.uow), "configured": sorted(res.syncs)}
