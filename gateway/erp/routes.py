"""ERP-shaped entry points: the same check, in each ERP's own payload and answer style."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from adapters.baan import mapping as baan
from adapters.common import CheckRequest
from adapters.errors import PayloadError
from adapters.sap import mapping as sap
from gateway.auth import Principal, require, require_erp_scope
from gateway.erp import schemas
from gateway.erp.answers import BaanCreditCheck, SapCreditCheck
from gateway.errors import GatewayError, InvalidInput
from gateway.orders.routes import run_check
from gateway.orders.schemas import CheckIn
from gateway.resources import Resources, resources
from gateway.schemas import validation_code
from policies.roles import Role

router = APIRouter(prefix="/v1/adapters", tags=["erp adapters"])
Res = Annotated[Resources, Depends(resources)]
erp_only = require(Role.ERP)
XML_TYPES = ("application/xml", "text/xml")


def _checked(res: Resources, parsed: CheckRequest) -> Mapping[str, Any]:
    try:
        body = CheckIn.model_validate(parsed.to_json())
    except ValidationError as exc:
        errors = exc.errors()
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in errors
        ]
        raise InvalidInput(
            "the order does not make a valid check",
            code=validation_code(e["type"] for e in errors),
            details=details,
        ) from None
    return run_check(res, body).answer


class _PayloadRejected(GatewayError):
    status = 422


SAP_BODY = schemas.body(schemas.SAP_SALES_ORDER)
BAAN_BODY = schemas.body(schemas.BAAN_SALES_ORDER)


@router.post(
    "/sap/sales-orders",
    response_model=SapCreditCheck,
    openapi_extra={"requestBody": SAP_BODY},
)
async def sap_sales_order(
    request: Request, res: Res, who: Annotated[Principal, Depends(erp_only)]
) -> dict[str, Any]:
    """An A_SalesOrder-shaped JSON body, or an ORDERS05 IDoc as XML (Content-Type
    application/xml or text/xml): E1EDK01 BELNR and CURCY, E1EDKA1 PARVW=AG with PARTN,
    the E1EDS01 SUMID=002 total in SUMME (else the E1EDP01 items' NETWR summed), and the
    revision and override token in Z1CRDREV (REVISION, OVERRIDE_TOKEN)."""
    require_erp_scope(who, sap.ERP)  # before the body is read: every order here is SAP's
    xml = request.headers.get("content-type", "").split(";")[0].strip() in XML_TYPES
    parsed = await _parse_or_reject(request, sap.parse_idoc if xml else sap.parse_sales_order_json)
    return sap.answer(await _in_thread(res, parsed))


@router.post(
    "/baan/sales-orders",
    response_model=BaanCreditCheck,
    openapi_extra={"requestBody": BAAN_BODY},
)
async def baan_sales_order(
    request: Request, res: Res, who: Annotated[Principal, Depends(erp_only)]
) -> dict[str, Any]:
    """A tdsls400-shaped sales order record."""
    require_erp_scope(who, baan.ERP)
    parsed = await _parse_or_reject(request, baan.parse_sales_order)
    return baan.answer(await _in_thread(res, parsed))


async def _parse_or_reject(
    request: Request, parse: Callable[[bytes], CheckRequest]
) -> CheckRequest:
    raw = await request.body()
    try:
        return parse(raw)
    except PayloadError as exc:
        error = _PayloadRejected(exc.message, code=exc.code)
        error.status = exc.status
        raise error from None


async def _in_thread(res: Resources, parsed: CheckRequest) -> Mapping[str, Any]:
    # The check is synchronous database work: keep it off the event loop.
    return await anyio.to_thread.run_sync(_checked, res, parsed, limiter=res.check_threads)
