"""The ERP-shaped request bodies, as the OpenAPI schema describes them.

The adapters parse raw bytes (`adapters.sap.mapping`, `adapters.baan.mapping`), so these
schemas are written out by hand to say what those parsers, and the check behind them,
accept; `gateway.openapi` narrows the currencies and amounts to the configuration's.
"""

from __future__ import annotations

from typing import Any

from adapters.common import MAX_NUMERIC_ID, ODATA_V2_DATE
from gateway.schemas import CURRENCY_MARK, IDENTIFIER_PATTERN, amount_schema

_ID = {
    "anyOf": [
        {"type": "string", "pattern": IDENTIFIER_PATTERN, "maxLength": 64},
        {"type": "integer", "minimum": 0, "maximum": MAX_NUMERIC_ID - 1},
    ]
}
_CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", CURRENCY_MARK: True}
_AMOUNT = amount_schema(3, positive=True)
_REVISION = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        {"type": "string", "pattern": "^[0-9]{1,9}$"},
        {"type": "null"},
    ],
    "description": "the order's change counter (default 1)",
}
_TOKEN = {"anyOf": [{"type": "string", "maxLength": 2048}, {"type": "null"}]}
_DATE = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "null"}],
    "description": "the order's date, YYYY-MM-DD: its amount converts at that day's "
    "exchange rates (default today)",
}
_SAP_DATE = {
    **_DATE,
    "anyOf": [*_DATE["anyOf"], {"type": "string", "pattern": ODATA_V2_DATE}],
    "description": "the order's date, YYYY-MM-DD or OData v2 /Date(ms)/ (its UTC day): its "
    "amount converts at that day's exchange rates (default today)",
}

SAP_SALES_ORDER: dict[str, Any] = {
    "type": "object",
    "description": 'An A_SalesOrder entity (other fields are ignored; an OData {"d": ...} '
    "wrapper is accepted too).",
    "required": ["SalesOrder", "SoldToParty", "TotalNetAmount", "TransactionCurrency"],
    "properties": {
        "SalesOrder": _ID,
        "SoldToParty": _ID,
        "TotalNetAmount": _AMOUNT,
        "TransactionCurrency": _CURRENCY,
        "YY1_ChangeCounter_SDH": _REVISION,
        "YY1_CreditOverrideToken_SDH": _TOKEN,
        "SalesOrderDate": _SAP_DATE,
    },
}

BAAN_SALES_ORDER: dict[str, Any] = {
    "type": "object",
    "description": 'A tdsls400 record (other fields are ignored; a {"tdsls400": ...} '
    "wrapper is accepted too).",
    "required": ["orno", "ofbp", "ccur", "oamt"],
    "properties": {
        "orno": _ID,
        "ofbp": _ID,
        "ccur": _CURRENCY,
        "oamt": _AMOUNT,
        "sqnb": _REVISION,
        "crtk": _TOKEN,
        "odat": _DATE,
    },
}


def body(json_schema: dict[str, Any]) -> dict[str, Any]:
    # The SAP endpoint also reads ORDERS05 IDocs (Content-Type application/xml or
    # text/xml): its description says so, its schema does not, because fuzzers (and
    # schemathesis) build XML of their own shape for an XML content type whatever its
    # schema says, and an IDoc has no JSON Schema.
    return {"required": True, "content": {"application/json": {"schema": json_schema}}}


__all__ = ["BAAN_SALES_ORDER", "SAP_SALES_ORDER", "body"]
