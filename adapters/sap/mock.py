"""A runnable SAP-style mock ERP.

    python -m adapters.sap.mock --port 8101 --gateway-url http://127.0.0.1:8080 --api-key KEY

Orders alternate between the A_SalesOrder JSON form and the ORDERS05 IDoc form.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from fastapi import FastAPI, Request

from adapters import mockbooks, mockkit
from adapters.sources import SAP_CREDIT, SAP_ITEMS, SAP_RELEASE, SAP_SALES


def build_payload(order: mockbooks.SalesOrder, token: str | None) -> tuple[bytes, str]:
    if int(order.order_id) % 2:
        body: dict[str, Any] = {
            "SalesOrder": order.order_id,
            "SalesOrderType": "OR",
            "SalesOrganization": "1010",
            "DistributionChannel": "10",
            "OrganizationDivision": "00",
            "SoldToParty": order.customer_id,
            "TotalNetAmount": str(order.amount),
            "TransactionCurrency": order.currency,
            "YY1_ChangeCounter_SDH": order.revision,
        }
        if token:
            body["YY1_CreditOverrideToken_SDH"] = token
        return json.dumps(body).encode(), "application/json"
    token_xml = f"<OVERRIDE_TOKEN>{escape(token)}</OVERRIDE_TOKEN>" if token else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><ORDERS05><IDOC BEGIN="1">'
        '<EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><IDOCTYP>ORDERS05</IDOCTYP>'
        f"<MESTYP>ORDERS</MESTYP><SNDPRN>S4HCLNT100</SNDPRN></EDI_DC40>"
        f'<E1EDK01 SEGMENT="1"><CURCY>{escape(order.currency)}</CURCY><BSART>OR</BSART>'
        f"<BELNR>{escape(order.order_id)}</BELNR></E1EDK01>"
        f'<E1EDKA1 SEGMENT="1"><PARVW>AG</PARVW><PARTN>{escape(order.customer_id)}</PARTN>'
        "</E1EDKA1>"
        f'<E1EDP01 SEGMENT="1"><POSEX>000010</POSEX><MENGE>1</MENGE>'
        f"<NETWR>{order.amount}</NETWR></E1EDP01>"
        f'<E1EDS01 SEGMENT="1"><SUMID>002</SUMID><SUMME>{order.amount}</SUMME></E1EDS01>'
        f'<Z1CRDREV SEGMENT="1"><REVISION>{order.revision}</REVISION>{token_xml}</Z1CRDREV>'
        "</IDOC></ORDERS05>"
    )
    return xml.encode(), "application/xml"


def register(app: FastAPI, books: mockbooks.Books) -> None:
    app.state.sync_paths.update({SAP_CREDIT, SAP_ITEMS, SAP_SALES})

    @app.get(SAP_CREDIT)
    async def credit_segments() -> dict[str, Any]:
        return {
            "d": {
                "results": [
                    {
                        "BusinessPartner": c.customer_id,
                        "BusinessPartnerName": c.name,
                        "CreditSegment": "1000",
                        "CreditLimitAmount": str(c.limit),
                        "CreditSegmentCurrency": c.currency,
                        "CreditRiskClass": c.grade,
                        "BusinessPartnerIsBlocked": c.blocked,
                        "NextReviewDate": c.review_date.isoformat() if c.review_date else None,
                        "CustomerPaymentTerms": f"NT{c.terms_days:02d}",
                    }
                    for c in books.customers.values()
                ]
            }
        }

    # OData's $filter is not a Python name: read it from the query string.
    @app.get(SAP_ITEMS)
    async def open_items_filtered(request: Request) -> dict[str, Any]:
        wanted = request.query_params.get("$filter", "").split("'")
        customer = wanted[1] if len(wanted) > 2 else None
        return {
            "d": {
                "results": [
                    {
                        "CompanyCode": "1010",
                        "FiscalYear": str(i.due.year),
                        "AccountingDocument": i.item_id,
                        "AccountingDocumentItem": "1",
                        "Customer": i.customer_id,
                        "AmountInTransactionCurrency": str(i.amount),
                        "TransactionCurrency": i.currency,
                        "NetDueDate": i.due.isoformat(),
                        "SalesDocument": i.order_id,
                        "SpecialGLCode": "W" if i.kind == "note" else "",
                    }
                    for i in books.items.values()
                    if i.customer_id == customer
                ]
            }
        }

    @app.get(SAP_SALES)
    async def sales_volume(request: Request) -> dict[str, Any]:
        wanted = request.query_params.get("$filter", "").split("'")
        found = books.customers.get(wanted[1]) if len(wanted) > 2 else None
        sales = found.monthly_sales if found is not None else {}
        return {
            "d": {
                "results": [
                    {
                        "Customer": found.customer_id if found else None,
                        "YearMonth": month.replace("-", ""),
                        "NetAmount": str(amount),
                        "Currency": found.currency if found else None,
                    }
                    for month, amount in sorted(sales.items())
                ]
            }
        }

    @app.post(SAP_RELEASE)
    async def credit_release(body: dict[str, Any]) -> dict[str, Any]:
        order = books.orders.get(str(body.get("SalesOrder")))
        if order is not None and body.get("TotalCreditCheckStatus") in ("A", "D"):
            order.status, order.reasons = "released", []
        return {"SalesOrder": body.get("SalesOrder"), "received": datetime.now(UTC).isoformat()}


def create_app(gateway_url: str, api_key: str) -> FastAPI:
    books = mockbooks.demo_books("SAP", "EUR", datetime.now(UTC).date(), numeric=True)
    style = mockkit.ErpStyle(
        erp="sap",
        adapter_path="/v1/adapters/sap/sales-orders",
        order_number=lambda n: str(4500000000 + n),
        build_payload=build_payload,
        blocked_in=lambda a: a.get("TotalCreditCheckStatus") == "B",
        reasons_in=lambda a: list(a.get("CreditBlockReasons", [])),
    )
    return mockkit.build_app(books, style, gateway_url, api_key, register)


def main() -> None:
    mockkit.serve(create_app, __doc__ or "", 8101)


if __name__ == "__main__":
    main()
