"""A runnable Baan / Infor LN-style mock ERP.

python -m adapters.baan.mock --port 8102 --gateway-url http://127.0.0.1:8080 --api-key KEY
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from adapters import mockbooks, mockkit
from adapters.sources import LN_PARTNERS, LN_RELEASE, LN_SALES


def build_payload(order: mockbooks.SalesOrder, token: str | None) -> tuple[bytes, str]:
    record: dict[str, Any] = {
        "orno": order.order_id,
        "ofbp": order.customer_id,
        "ifbp": order.customer_id,
        "ccur": order.currency,
        "oamt": str(order.amount),
        "sqnb": order.revision,
        "cofc": "SLS100",
        "odat": datetime.now(UTC).date().isoformat(),
    }
    if token:
        record["crtk"] = token
    return json.dumps({"tdsls400": record}).encode(), "application/json"


def register(app: FastAPI, books: mockbooks.Books) -> None:
    app.state.sync_paths.add(LN_PARTNERS)

    @app.get(LN_PARTNERS)
    async def partners() -> dict[str, Any]:
        return {
            "value": [
                {
                    "bpid": c.customer_id,
                    "nama": c.name,
                    "crlm": str(c.limit),
                    "ccur": c.currency,
                    "crat": c.grade,
                    "blck": "yes" if c.blocked else "no",
                    "ptrm": f"{c.terms_days}D",
                    "rvdt": c.review_date.isoformat() if c.review_date else None,
                }
                for c in books.customers.values()
            ]
        }

    @app.get(LN_PARTNERS + "/{bpid}/openinvoices")
    async def open_invoices(bpid: str) -> dict[str, Any]:
        return {
            "value": [
                {
                    "ttyp": "BOE" if i.kind == "note" else "SLS",
                    "ninv": i.item_id,
                    "itbp": i.customer_id,
                    "amnt": str(i.amount),
                    "ccur": i.currency,
                    "dued": i.due.isoformat(),
                    "orno": i.order_id,
                }
                for i in books.items.values()
                if i.customer_id == bpid
            ]
        }

    @app.get(LN_SALES)
    async def sales_volume(bpid: str) -> dict[str, Any]:
        found = books.customers.get(bpid)
        sales = found.monthly_sales if found is not None else {}
        return {
            "value": [
                {"bpid": bpid, "peri": month, "namt": str(amount)}
                for month, amount in sorted(sales.items())
            ]
        }

    @app.post(LN_RELEASE)
    async def release(orno: str, body: dict[str, Any]) -> dict[str, Any]:
        order = books.orders.get(orno)
        if order is not None and body.get("blck") == "no":
            order.status, order.reasons = "released", []
        return {"orno": orno, "received": datetime.now(UTC).isoformat()}


def create_app(gateway_url: str, api_key: str) -> FastAPI:
    books = mockbooks.demo_books("BP", "EUR", datetime.now(UTC).date(), numeric=False)
    style = mockkit.ErpStyle(
        erp="baan",
        adapter_path="/v1/adapters/baan/sales-orders",
        order_number=lambda n: f"SO{n:06d}",
        build_payload=build_payload,
        blocked_in=lambda a: a.get("blck") == "yes",
        reasons_in=lambda a: [r["hrea"] for r in a.get("hold_reasons", [])],
    )
    return mockkit.build_app(books, style, gateway_url, api_key, register)


def main() -> None:
    mockkit.serve(create_app, __doc__ or "", 8102)


if __name__ == "__main__":
    main()
