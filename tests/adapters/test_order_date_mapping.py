"""The order's date, mapped from each ERP's payload (its amount converts at that day's
exchange rates): SAP A_SalesOrder SalesOrderDate, IDoc E1EDK03 IDDAT=012 DATUM, Baan
tdsls400 odat."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.baan import mapping as baan
from adapters.common import date_field
from adapters.errors import PayloadError
from adapters.sap import mapping as sap

FIXTURES = Path(__file__).parent / "fixtures"


def sap_json(**fields: Any) -> bytes:
    body = {
        "SalesOrder": "1",
        "SoldToParty": "C1",
        "TotalNetAmount": "10.00",
        "TransactionCurrency": "USD",
        **fields,
    }
    return json.dumps({"d": body}).encode()


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2026-11-20", "2026-11-20"),
        ("/Date(1795132800000)/", "2026-11-20"),
        ("/Date(1795132800000+0100)/", "2026-11-20"),
        (None, None),
    ],
)
def test_sap_sales_order_date(written: str | None, day: str | None) -> None:
    fields = {"SalesOrderDate": written} if written is not None else {}
    order = sap.parse_sales_order_json(sap_json(**fields))
    assert order.order_date == day
    assert order.to_json().get("order_date") == day
    assert ("order_date" in order.to_json()) is (day is not None)


@pytest.mark.parametrize(
    "bad",
    [
        "2026-02-30",
        "yesterday",
        "2026-11",
        20261120,
        "20261120",
        "",
        " 2026-11-20",
        "2026-11-20T00:00:00",
        "/Date(x)/",
        "/Date(99999999999999)/",
    ],
)
def test_a_date_that_is_none_is_a_payload_error(bad: Any) -> None:
    with pytest.raises(PayloadError) as caught:
        sap.parse_sales_order_json(sap_json(SalesOrderDate=bad))
    assert caught.value.code == "MALFORMED_PAYLOAD"
    with pytest.raises(PayloadError):
        date_field(bad, "odat")


def test_idoc_document_date() -> None:
    xml = (FIXTURES / "sap_orders05.xml").read_bytes()
    assert sap.parse_idoc(xml).order_date is None
    dated = xml.replace(
        b"</E1EDK01>",
        b'</E1EDK01><E1EDK03 SEGMENT="1"><IDDAT>002</IDDAT><DATUM>20261201</DATUM></E1EDK03>'
        b'<E1EDK03 SEGMENT="1"><IDDAT>012</IDDAT><DATUM>20261119</DATUM></E1EDK03>',
        1,
    )
    assert sap.parse_idoc(dated).order_date == "2026-11-19"


def test_baan_order_date() -> None:
    record = {"orno": "SO1", "ofbp": "BP1", "ccur": "USD", "oamt": "10.00", "odat": "2026-11-18"}
    assert baan.parse_sales_order(json.dumps(record).encode()).order_date == "2026-11-18"
    del record["odat"]
    assert baan.parse_sales_order(json.dumps(record).encode()).order_date is None


def test_baan_names_the_group_limit_hold() -> None:
    check = json.loads((FIXTURES / "check_hold.json").read_text())
    check["erp"] = "baan"
    check["reasons"] = [{"code": "GROUP_LIMIT_EXCEEDED", "message": "credit group G1: ..."}]
    holds = baan.answer(check)["hold_reasons"]
    assert [(h["hrea"], h["dsca"]) for h in holds] == [("GRL", "Credit group limit exceeded")]
