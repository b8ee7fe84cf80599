"""The gateway's view of each ERP (an `ErpSource`): pull balances, push releases."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from adapters.baan import mapping as baan
from adapters.errors import PermanentErpError
from adapters.http import ErpHttp
from adapters.sap import mapping as sap


class ErpSource(Protocol):
    """One ERP, seen through its adapter. Bodies are the gateway's own PUT bodies."""

    erp: str

    async def fetch_master_data(self) -> list[tuple[str, dict[str, Any]]]:
        """Every customer the ERP manages: (customer_id, PUT /v1/customers body)."""
        ...

    async def fetch_open_items(self, customer_id: str, as_of: datetime) -> dict[str, Any]:
        """The customer's open items as read at `as_of` (the gateway's clock, just before
        the call): a PUT /v1/customers/{id}/open-items body."""
        ...

    async def fetch_sales(self, customer_id: str) -> dict[str, Any] | None:
        """The customer's net sales by month: a PUT /v1/customers/{id}/sales body, or
        None when the ERP reports none (DSO stays null)."""
        ...

    async def notify_release(self, answer: dict[str, Any]) -> None:
        """Tell the ERP that a held order was released (the check answer)."""
        ...

    async def aclose(self) -> None: ...


SAP_CREDIT = "/sap/opu/odata/sap/API_CREDIT_MANAGEMENT/CreditSegments"
SAP_ITEMS = "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV/A_OperationalAcctgDocItemCube"
SAP_RELEASE = "/sap/credit-release"
SAP_SALES = "/sap/opu/odata/sap/YY1_CUSTOMERSALESVOLUME_CDS/YY1_CustomerSalesVolume"
LN_PARTNERS = "/ln/api/businesspartners"
LN_SALES = LN_PARTNERS + "/{bpid}/salesvolume"
LN_RELEASE = "/ln/api/salesorders/{orno}/release"


def _results(body: Any, key: str) -> list[dict[str, Any]]:
    try:
        records = body["d"]["results"] if key == "d" else body[key]
    except (KeyError, TypeError):
        raise PermanentErpError(f"unexpected response shape (no {key})") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise PermanentErpError("unexpected response shape (records)")
    return records


class SapSource:
    erp = "sap"

    def __init__(self, http: ErpHttp) -> None:
        self.http = http

    async def fetch_master_data(self) -> list[tuple[str, dict[str, Any]]]:
        body = await self.http.request_json("GET", SAP_CREDIT)
        try:
            return [sap.customer_body(r) for r in _results(body, "d")]
        except (KeyError, TypeError) as exc:
            raise PermanentErpError(f"credit segment without {exc}") from None

    async def fetch_open_items(self, customer_id: str, as_of: datetime) -> dict[str, Any]:
        # `as_of` was read before the call: the snapshot is at least as new as this.
        body = await self.http.request_json(
            "GET", SAP_ITEMS, params={"$filter": f"Customer eq '{customer_id}'"}
        )
        try:
            return sap.open_items_body(as_of.isoformat(), _results(body, "d"))
        except (KeyError, TypeError) as exc:
            raise PermanentErpError(f"open item without {exc}") from None

    async def fetch_sales(self, customer_id: str) -> dict[str, Any] | None:
        body = await self.http.request_json(
            "GET", SAP_SALES, params={"$filter": f"Customer eq '{customer_id}'"}
        )
        try:
            return sap.sales_body(_results(body, "d"))
        except (KeyError, TypeError) as exc:
            raise PermanentErpError(f"sales volume without {exc}") from None

    async def notify_release(self, answer: dict[str, Any]) -> None:
        await self.http.request_json("POST", SAP_RELEASE, json=sap.answer(answer))

    async def aclose(self) -> None:
        await self.http.aclose()


class BaanSource:
    erp = "baan"

    def __init__(self, http: ErpHttp) -> None:
        self.http = http

    async def fetch_master_data(self) -> list[tuple[str, dict[str, Any]]]:
        body = await self.http.request_json("GET", LN_PARTNERS)
        try:
            return [baan.customer_body(r) for r in _results(body, "value")]
        except (KeyError, TypeError) as exc:
            raise PermanentErpError(f"business partner without {exc}") from None

    async def fetch_open_items(self, customer_id: str, as_of: datetime) -> dict[str, Any]:
        body = await self.http.request_json("GET", f"{LN_PARTNERS}/{customer_id}/openinvoices")
        try:
            return baan.open_items_body(as_of.isoformat(), _results(body, "value"))
        except (KeyError, TypeError) as exc:
            raise PermanentErpError(f"open invoice without {exc}") from None

    async def fetch_sales(self, customer_id: str) -> dict[str, Any] | None:
        body = await self.http.request_json("GET", LN_SALES.format(bpid=customer_id))
        try:
            return baan.sales_body(_results(body, "value"))
        except (KeyError, TypeError) as exc:
            raise PermanentErpError(f"sales volume without {exc}") from None

    async def notify_release(self, answer: dict[str, Any]) -> None:
        path = LN_RELEASE.format(orno=answer["order_id"])
        await self.http.request_json("POST", path, json=baan.answer(answer))

    async def aclose(self) -> None:
        await self.http.aclose()
