"""SAP-style payloads, both directions. Pure: bytes and dicts in, dicts out.

Inbound sales order, two forms:
- JSON shaped like S/4HANA's API_SALES_ORDER_SRV entity A_SalesOrder: SalesOrder,
  SalesOrderType, SalesOrganization, DistributionChannel, OrganizationDivision,
  SoldToParty, TotalNetAmount, TransactionCurrency, SalesOrderDate (the day whose
  exchange rates convert the amount). S/4 has no change counter on
  the header, so the revision travels in a customer extension field,
  YY1_ChangeCounter_SDH (key-user extensibility names such fields YY1_*_SDH), and
  the override token in YY1_CreditOverrideToken_SDH.
- IDoc ORDERS05 as XML: EDI_DC40 control record; E1EDK01 (CURCY currency, BELNR
  the order number); E1EDK03 with IDDAT=012 (document date) and DATUM (YYYYMMDD);
  E1EDKA1 with PARVW=AG (sold-to party) and PARTN; E1EDP01
  items; E1EDS01 with SUMID=002 (net total) and SUMME; the revision and token in a
  customer segment Z1CRDREV (REVISION, OVERRIDE_TOKEN).

Answer: TotalCreditCheckStatus as on A_SalesOrder: A = checked, passed; B = checked,
blocked; D = released by an authorized person (the override token).

Outbound (the sync): credit master data shaped like FSCM credit management
(BusinessPartner, CreditSegment, CreditLimitAmount, CreditSegmentCurrency,
CreditRiskClass, BusinessPartnerIsBlocked, NextReviewDate, CustomerPaymentTerms)
and open items like A_OperationalAcctgDocItemCube (CompanyCode, FiscalYear,
AccountingDocument, AccountingDocumentItem, AmountInTransactionCurrency,
TransactionCurrency, NetDueDate, SalesDocument, SpecialGLCode W = bill of exchange).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as safe_fromstring

from adapters.common import (
    CheckRequest,
    amount_field,
    check_size,
    date_field,
    int_field,
    load_json_object,
    payment_terms_days,
    text_field,
)
from adapters.errors import PayloadError

ERP = "sap"
# CreditRiskClass -> grade. Unknown classes get the most careful grade with credit.
RISK_CLASS_GRADE = {
    "A": "A",
    "B": "B",
    "C": "C",
    "D": "D",
    "LOW": "A",
    "MEDIUM": "B",
    "HIGH": "C",
    "VERY_HIGH": "D",
}


def partner_id(sent: str) -> str:
    """A business partner's id as the gateway keys customers: SAP's ALPHA conversion
    (its "external" form). A numeric id loses the leading zeros of its internal, padded
    form ("0001000003" is "1000003"); any other id is kept as sent. OData, the IDoc and
    the credit master data all pass through it, so an order meets its customer whichever
    channel brought either."""
    return (sent.lstrip("0") or "0") if sent.isascii() and sent.isdigit() else sent


def parse_sales_order_json(raw: bytes) -> CheckRequest:
    data = load_json_object(raw)
    # OData v2 wraps an entity in {"d": {...}}; accept both.
    if isinstance(data.get("d"), dict):
        data = data["d"]
    return CheckRequest(
        erp=ERP,
        order_id=_text(data, "SalesOrder"),
        revision=int_field(data.get("YY1_ChangeCounter_SDH"), "YY1_ChangeCounter_SDH", 1),
        customer_id=partner_id(_text(data, "SoldToParty")),
        amount=amount_field(data.get("TotalNetAmount"), "TotalNetAmount"),
        currency=_text(data, "TransactionCurrency", 5),
        override_token=text_field(
            data, "YY1_CreditOverrideToken_SDH", max_len=2048, required=False, numbers=False
        ),
        order_date=date_field(data.get("SalesOrderDate"), "SalesOrderDate", odata=True),
    )


def _text(data: dict[str, Any], name: str, max_len: int = 64) -> str:
    value = text_field(data, name, max_len=max_len)
    assert value is not None
    return value


def parse_idoc(raw: bytes) -> CheckRequest:
    check_size(raw)
    try:
        root = safe_fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PayloadError(
            "XML_FORBIDDEN", f"XML construct not allowed: {type(exc).__name__}"
        ) from None
    except (ParseError, ValueError) as exc:
        raise PayloadError("MALFORMED_PAYLOAD", f"not well-formed XML: {str(exc)[:120]}") from None
    except LookupError as exc:  # an encoding Python does not know (x-bogus, EBCDIC)
        raise PayloadError("MALFORMED_PAYLOAD", f"unknown XML encoding: {str(exc)[:120]}") from None
    idoc = root.find("IDOC") if root.tag == "ORDERS05" else root
    if idoc is None or idoc.find("E1EDK01") is None:
        raise PayloadError("MALFORMED_PAYLOAD", "not an ORDERS05 IDoc (no E1EDK01)")
    header = idoc.find("E1EDK01")
    assert header is not None
    sold_to = next((seg for seg in idoc.findall("E1EDKA1") if _seg(seg, "PARVW") == "AG"), None)
    if sold_to is None:
        raise PayloadError("MALFORMED_PAYLOAD", "no E1EDKA1 with PARVW=AG (sold-to party)")
    total = next((seg for seg in idoc.findall("E1EDS01") if _seg(seg, "SUMID") == "002"), None)
    amount = (
        amount_field(_seg(total, "SUMME"), "E1EDS01/SUMME")
        if total is not None
        else _sum_items(idoc)
    )
    ext = idoc.find("Z1CRDREV")
    token = _seg(ext, "OVERRIDE_TOKEN") if ext is not None else None
    return CheckRequest(
        erp=ERP,
        order_id=_required(header, "BELNR"),
        revision=int_field(
            _seg(ext, "REVISION") if ext is not None else None, "Z1CRDREV/REVISION", 1
        ),
        customer_id=partner_id(_required(sold_to, "PARTN")),
        amount=amount,
        currency=_required(header, "CURCY"),
        override_token=token or None,
        order_date=_document_date(idoc),
    )


def _document_date(idoc: Element) -> str | None:
    """E1EDK03 with IDDAT=012 (the document date), DATUM as YYYYMMDD."""
    dated = next((seg for seg in idoc.findall("E1EDK03") if _seg(seg, "IDDAT") == "012"), None)
    if dated is None:
        return None
    return date_field(_seg(dated, "DATUM"), "E1EDK03/DATUM", compact=True)


def _seg(segment: Element | None, field: str) -> str | None:
    if segment is None:
        return None
    child = segment.find(field)
    return child.text.strip() if child is not None and child.text else None


def _required(segment: Element, field: str) -> str:
    value = _seg(segment, field)
    if not value or len(value) > 64:
        raise PayloadError("MALFORMED_PAYLOAD", f"{segment.tag}/{field} is missing or too long")
    return value


def _sum_items(idoc: Element) -> Decimal:
    items = idoc.findall("E1EDP01")
    if not items:
        raise PayloadError("MALFORMED_PAYLOAD", "no E1EDS01 total and no E1EDP01 items")
    return sum((amount_field(_seg(i, "NETWR"), "E1EDP01/NETWR") for i in items), Decimal(0))


def answer(check: Mapping[str, Any]) -> dict[str, Any]:
    """The gateway's answer, as an SAP-style credit check result."""
    status = "B" if check["outcome"] == "hold" else ("D" if check.get("override") else "A")
    exposure = check["exposure"]
    return {
        "SalesOrder": check["order_id"],
        "SoldToParty": check["customer_id"],
        "TotalCreditCheckStatus": status,
        "CreditBlockReasons": [r["code"] for r in check["reasons"]],
        "CreditBlockMessages": [r["message"] for r in check["reasons"]],
        "CreditWarnings": [w["code"] for w in check["warnings"]],
        "CreditSegmentCurrency": exposure["currency"],
        "CreditLimitAmount": exposure["credit_limit"],
        "CreditExposureAmount": exposure["total"],
        "CreditLimitExceededAmount": exposure["over_limit"],
        "OverdueAmount": exposure["overdue_amount"],
        "GatewayDecisionID": check["decision_id"],
    }


def customer_body(segment: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A credit segment record -> (customer_id, PUT /v1/customers body)."""
    bp = partner_id(str(segment["BusinessPartner"]))
    risk = str(segment.get("CreditRiskClass") or "").upper()
    return bp, {
        "name": segment.get("BusinessPartnerName") or f"BP {bp}",
        "credit_limit": str(segment["CreditLimitAmount"]),
        "currency": segment["CreditSegmentCurrency"],
        "grade": RISK_CLASS_GRADE.get(risk, "C"),
        "payment_terms_days": payment_terms_days(segment.get("CustomerPaymentTerms")),
        "blocked": bool(segment.get("BusinessPartnerIsBlocked", False)),
        "review_date": segment.get("NextReviewDate") or None,
    }


def open_items_body(as_of: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Open-item records -> PUT /v1/customers/{id}/open-items body."""
    items = []
    for r in records:
        item_id = "-".join(
            str(r[k])
            for k in ("CompanyCode", "FiscalYear", "AccountingDocument", "AccountingDocumentItem")
        )
        items.append(
            {
                "item_id": item_id[:64],
                "kind": "note" if r.get("SpecialGLCode") == "W" else "invoice",
                "amount": str(r["AmountInTransactionCurrency"]),
                "currency": r["TransactionCurrency"],
                "due_date": r["NetDueDate"],
                "erp": ERP,
                "order_id": r.get("SalesDocument") or None,
            }
        )
    return {"as_of": as_of, "items": items}


def sales_body(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Sales volume records (YearMonth "YYYYMM", NetAmount) -> PUT /v1/customers/{id}/sales
    body; None when the ERP reports none."""
    periods = [
        {
            "month": f"{str(r['YearMonth'])[:4]}-{str(r['YearMonth'])[4:6]}",
            "amount": str(r["NetAmount"]),
        }
        for r in records
    ]
    return {"periods": periods} if periods else None
