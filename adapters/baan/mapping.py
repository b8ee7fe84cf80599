"""Baan / Infor LN-style payloads, both directions. Pure: bytes and dicts in, dicts out.

LN names fields with short lower-case codes per table. Inbound, a sales order
header record after tdsls400 (Sales Orders): orno (order number), ofbp (sold-to
business partner), ifbp (invoice-to business partner; credit is checked on the
sold-to), ccur (currency), oamt (order amount), odat (order date: the day whose
exchange rates convert it), sqnb (change sequence number, our revision) and crtk (the
override token, a customer-defined field).

Answer: blck yes/no (LN's tcyesno) with hold reasons in the style of LN's order
holds: a code (hrea) and a description (dsca).

Outbound (the sync): business-partner credit data after tccom112 (bpid, nama,
crlm credit limit, ccur, crat credit rating A-D, blck, ptrm payment terms, rvdt
review date) and open invoices after tfacr200 (ACR open entries: ttyp transaction
type, ninv document, amnt, ccur, dued due date, orno sales order; ttyp BOE = bill
of exchange, counted as a note receivable).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.common import (
    CheckRequest,
    amount_field,
    date_field,
    int_field,
    load_json_object,
    payment_terms_days,
    text_field,
)
from adapters.errors import PayloadError

ERP = "baan"
# Our reason codes as LN-style hold reasons.
HOLD_REASONS = {
    "CREDIT_LIMIT_EXCEEDED": ("CRL", "Credit limit exceeded"),
    "GROUP_LIMIT_EXCEEDED": ("GRL", "Credit group limit exceeded"),
    "OVERDUE": ("OVD", "Overdue invoices"),
    "CUSTOMER_BLOCKED": ("BLK", "Business partner blocked"),
    "NO_CREDIT": ("NCR", "No credit allowed (cash in advance)"),
    "REVIEW_DATE_PASSED": ("REV", "Credit review date passed"),
    "ORDER_VALUE_EXCEEDED": ("OVL", "Order value above maximum"),
    "BALANCE_STALE": ("STL", "Credit data not current"),
    "OVERRIDE_REJECTED": ("OVR", "Credit release not valid"),
}
RATING_GRADE = {"A": "A", "B": "B", "C": "C", "D": "D"}


def parse_sales_order(raw: bytes) -> CheckRequest:
    data = load_json_object(raw)
    record = data.get("tdsls400", data)
    if not isinstance(record, dict):
        raise PayloadError("MALFORMED_PAYLOAD", "tdsls400 must be an object")
    orno = text_field(record, "orno")
    ofbp = text_field(record, "ofbp")
    ccur = text_field(record, "ccur", max_len=5)
    assert orno is not None and ofbp is not None and ccur is not None
    return CheckRequest(
        erp=ERP,
        order_id=orno,
        revision=int_field(record.get("sqnb"), "sqnb", 1),
        customer_id=ofbp,
        amount=amount_field(record.get("oamt"), "oamt"),
        currency=ccur,
        override_token=text_field(record, "crtk", max_len=2048, required=False, numbers=False),
        order_date=date_field(record.get("odat"), "odat"),
    )


def answer(check: Mapping[str, Any]) -> dict[str, Any]:
    blocked = check["outcome"] == "hold"
    exposure = check["exposure"]
    reasons = [
        {
            "hrea": HOLD_REASONS.get(r["code"], ("OTH", r["code"]))[0],
            "dsca": HOLD_REASONS.get(r["code"], ("OTH", r["code"]))[1],
            "text": r["message"],
            "code": r["code"],
        }
        for r in check["reasons"]
    ]
    return {
        "orno": check["order_id"],
        "ofbp": check["customer_id"],
        "blck": "yes" if blocked else "no",
        "hold_reasons": reasons if blocked else [],
        "released_by_override": bool(check.get("override")),
        "ccur": exposure["currency"],
        "crlm": exposure["credit_limit"],
        "expo": exposure["total"],
        "ovlm": exposure["over_limit"],
        "ovdu": exposure["overdue_amount"],
        "decision": check["decision_id"],
    }


def customer_body(bp: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    bpid = str(bp["bpid"])
    return bpid, {
        "name": bp.get("nama") or bpid,
        "credit_limit": str(bp["crlm"]),
        "currency": bp["ccur"],
        "grade": RATING_GRADE.get(str(bp.get("crat", "")).upper(), "C"),
        "payment_terms_days": payment_terms_days(bp.get("ptrm")),
        "blocked": str(bp.get("blck", "no")).lower() == "yes",
        "review_date": bp.get("rvdt") or None,
    }


def open_items_body(as_of: str, invoices: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "items": [
            {
                "item_id": f"{inv['ttyp']}-{inv['ninv']}"[:64],
                "kind": "note" if inv["ttyp"] == "BOE" else "invoice",
                "amount": str(inv["amnt"]),
                "currency": inv["ccur"],
                "due_date": inv["dued"],
                "erp": ERP,
                "order_id": inv.get("orno") or None,
            }
            for inv in invoices
        ],
    }


def sales_body(volumes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Sales volume records (peri "YYYY-MM", namt net amount) -> PUT
    /v1/customers/{id}/sales body; None when the ERP reports none."""
    periods = [{"month": str(v["peri"]), "amount": str(v["namt"])} for v in volumes]
    return {"periods": periods} if periods else None
