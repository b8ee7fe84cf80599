"""Pure mapping of both ERP styles, both directions, against recorded fixtures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.baan import mapping as baan
from adapters.common import CheckRequest
from adapters.sap import mapping as sap

FIXTURES = Path(__file__).parent / "fixtures"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def loaded(name: str) -> Any:
    return json.loads(raw(name))


def test_sap_json_sales_order() -> None:
    assert sap.parse_sales_order_json(raw("sap_sales_order.json")) == CheckRequest(
        "sap", "4500012345", 2, "1000003", Decimal("12500.00"), "EUR", None
    )


def test_sap_idoc_sales_order() -> None:
    assert sap.parse_idoc(raw("sap_orders05.xml")) == CheckRequest(
        "sap", "4500012346", 3, "1000003", Decimal("1000.25"), "USD", None
    )


def test_sap_idoc_without_total_sums_the_items() -> None:
    xml = raw("sap_orders05.xml").replace(b"<SUMID>002</SUMID>", b"<SUMID>001</SUMID>")
    assert sap.parse_idoc(xml).amount == Decimal("1000.25")


@pytest.mark.parametrize(
    ("sent", "customer_id"),
    [
        ("0001000003", "1000003"),  # SAP's internal, zero-padded form of a numeric id
        ("1000003", "1000003"),
        ("0000000000", "0"),
        ("00AB12", "00AB12"),  # not numeric: SAP's ALPHA conversion leaves it as it is
        ("BP003", "BP003"),
    ],
)
def test_sap_partner_ids_arrive_in_one_form_whichever_channel(sent: str, customer_id: str) -> None:
    """An order must meet the customer the credit master data created: OData, IDoc and
    the business partner all pass through SAP's ALPHA conversion (numeric ids without
    their leading zeros, others unchanged)."""
    odata = json.loads(raw("sap_sales_order.json"))
    target = odata.get("d", odata)
    target["SoldToParty"] = sent
    assert sap.parse_sales_order_json(json.dumps(odata).encode()).customer_id == customer_id
    xml = raw("sap_orders05.xml").replace(b"0001000003", sent.encode())
    assert sap.parse_idoc(xml).customer_id == customer_id
    segment = loaded("sap_credit_segments.json")["d"]["results"][0]
    assert sap.customer_body({**segment, "BusinessPartner": sent})[0] == customer_id


def test_sap_answer_statuses() -> None:
    hold = loaded("check_hold.json")
    answer = sap.answer(hold)
    assert answer["TotalCreditCheckStatus"] == "B"
    assert answer["CreditBlockReasons"] == ["CREDIT_LIMIT_EXCEEDED", "OVERDUE"]
    assert answer["CreditLimitExceededAmount"] == "12500.00"
    release = {**hold, "outcome": "release", "reasons": []}
    assert sap.answer(release)["TotalCreditCheckStatus"] == "A"
    overridden = {**release, "override": {"request_id": "r", "approved_by": ["a"]}}
    assert sap.answer(overridden)["TotalCreditCheckStatus"] == "D"


def test_sap_credit_master_data() -> None:
    segments = loaded("sap_credit_segments.json")["d"]["results"]
    assert [sap.customer_body(s) for s in segments] == [
        (
            "1000003",
            {
                "name": "Muster GmbH",
                "credit_limit": "80000.00",
                "currency": "EUR",
                "grade": "B",
                "payment_terms_days": 30,
                "blocked": False,
                "review_date": "2027-03-31",
            },
        ),
        (
            "1000008",
            {
                "name": "BP 1000008",
                "credit_limit": "0",
                "currency": "EUR",
                "grade": "D",
                "payment_terms_days": 1,
                "blocked": True,
                "review_date": None,
            },
        ),
    ]


def test_sap_open_items() -> None:
    records = loaded("sap_open_items.json")["d"]["results"]
    body = sap.open_items_body("2026-11-22T08:00:00+00:00", records)
    assert body["items"] == [
        {
            "item_id": "1010-2026-9000000123-1",
            "kind": "invoice",
            "amount": "1500.00",
            "currency": "EUR",
            "due_date": "2026-10-31",
            "erp": "sap",
            "order_id": "4500012345",
        },
        {
            "item_id": "1010-2026-1600000007-1",
            "kind": "note",
            "amount": "2000.00",
            "currency": "EUR",
            "due_date": "2027-01-15",
            "erp": "sap",
            "order_id": None,
        },
    ]


def test_baan_sales_order() -> None:
    assert baan.parse_sales_order(raw("baan_sales_order.json")) == CheckRequest(
        "baan", "SO000123", 1, "BP003", Decimal("4200.50"), "EUR", None, "2026-11-22"
    )


def test_baan_answer() -> None:
    answer = baan.answer({**loaded("check_hold.json"), "erp": "baan"})
    assert answer["blck"] == "yes"
    assert [(r["hrea"], r["dsca"]) for r in answer["hold_reasons"]] == [
        ("CRL", "Credit limit exceeded"),
        ("OVD", "Overdue invoices"),
    ]
    released = baan.answer({**loaded("check_hold.json"), "outcome": "release", "reasons": []})
    assert (released["blck"], released["hold_reasons"]) == ("no", [])


def test_baan_partners_and_invoices() -> None:
    partners = [baan.customer_body(p) for p in loaded("baan_partners.json")["value"]]
    assert partners[0] == (
        "BP003",
        {
            "name": "Beispiel AG",
            "credit_limit": "50000.00",
            "currency": "EUR",
            "grade": "B",
            "payment_terms_days": 30,
            "blocked": False,
            "review_date": "2027-06-30",
        },
    )
    assert partners[1][1]["grade"] == "C" and partners[1][1]["blocked"] is True
    items = baan.open_items_body(
        "2026-11-22T08:00:00+00:00", loaded("baan_open_invoices.json")["value"]
    )["items"]
    assert [(i["item_id"], i["kind"], i["order_id"]) for i in items] == [
        ("SLS-900123", "invoice", "SO000100"),
        ("BOE-77", "note", None),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {"SalesOrder": "1", "SoldToParty": "2", "TotalNetAmount": 10, "TransactionCurrency": "EUR"},
        {
            "SalesOrder": 45,
            "SoldToParty": "2",
            "TotalNetAmount": "100",
            "TransactionCurrency": "EUR",
        },
    ],
)
def test_sap_json_accepts_numbers_and_strings(payload: dict[str, Any]) -> None:
    parsed = sap.parse_sales_order_json(json.dumps(payload).encode())
    assert parsed.revision == 1


def test_sales_volumes_map_to_the_sales_body() -> None:
    from adapters.baan.mapping import sales_body as baan_sales
    from adapters.sap.mapping import sales_body as sap_sales

    sap = [{"Customer": "1", "YearMonth": "202610", "NetAmount": "1500.50", "Currency": "EUR"}]
    assert sap_sales(sap) == {"periods": [{"month": "2026-10", "amount": "1500.50"}]}
    assert sap_sales([]) is None
    baan = [{"bpid": "BP1", "peri": "2026-09", "namt": "42"}]
    assert baan_sales(baan) == {"periods": [{"month": "2026-09", "amount": "42"}]}
    assert baan_sales([]) is None
