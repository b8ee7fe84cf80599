"""The gateway's ERP-shaped endpoints: same check, ERP-style answers, hostile input refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.test_hostile import BILLION_LAUGHS, EXTERNAL_ENTITY
from tests.gateway.conftest import KEYS, Api

FIXTURES = Path(__file__).parent / "fixtures"
ERP = {"Authorization": f"Bearer {KEYS['erp']}"}


def post(api: Api, path: str, content: bytes, ctype: str = "application/json") -> object:
    return api.client.post(path, content=content, headers={**ERP, "Content-Type": ctype})


@pytest.fixture
def sap_customer(api: Api) -> Api:
    api.customer("1000003", credit_limit="5000.00", currency="EUR")
    return api


def test_sap_json_order_is_checked(sap_customer: Api) -> None:
    r = post(
        sap_customer,
        "/v1/adapters/sap/sales-orders",
        (FIXTURES / "sap_sales_order.json").read_bytes(),
    )
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["TotalCreditCheckStatus"] == "B"
    assert body["CreditBlockReasons"] == ["CREDIT_LIMIT_EXCEEDED"]
    exp = sap_customer.get("/v1/customers/1000003/exposure").json()
    assert exp["orders"] == []  # a hold reserves nothing


def test_sap_idoc_order_is_checked_and_replays(sap_customer: Api) -> None:
    idoc = (FIXTURES / "sap_orders05.xml").read_bytes()
    first = post(sap_customer, "/v1/adapters/sap/sales-orders", idoc, "application/xml")
    again = post(sap_customer, "/v1/adapters/sap/sales-orders", idoc, "text/xml")
    assert first.json()["TotalCreditCheckStatus"] == "A"  # type: ignore[attr-defined]
    assert (
        first.json()["GatewayDecisionID"]  # type: ignore[attr-defined]
        == again.json()["GatewayDecisionID"]
    )  # type: ignore[attr-defined]
    exp = sap_customer.get("/v1/customers/1000003/exposure").json()
    assert exp["exposure"]["open_orders"] == "921.89"  # USD 1000.25 at 1.0850


def test_baan_order_is_checked(api: Api) -> None:
    api.customer("BP003", credit_limit="50000.00")
    r = post(
        api, "/v1/adapters/baan/sales-orders", (FIXTURES / "baan_sales_order.json").read_bytes()
    )
    assert r.json()["blck"] == "no"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "content", "ctype", "status", "code"),
    [
        ("/v1/adapters/sap/sales-orders", BILLION_LAUGHS, "application/xml", 422, "XML_FORBIDDEN"),
        ("/v1/adapters/sap/sales-orders", EXTERNAL_ENTITY, "text/xml", 422, "XML_FORBIDDEN"),
        ("/v1/adapters/sap/sales-orders", b"{oops", "application/json", 422, "MALFORMED_PAYLOAD"),
        (
            "/v1/adapters/sap/sales-orders",
            b"<a>" + b"x" * 300_000 + b"</a>",
            "application/xml",
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            "/v1/adapters/baan/sales-orders",
            b'{"tdsls400": {"orno": 5}}',
            "application/json",
            422,
            "MALFORMED_PAYLOAD",
        ),
        (
            "/v1/adapters/baan/sales-orders",
            b'{"orno": "1", "ofbp": "BP003", "ccur": "EUR", "oamt": "1.001"}',
            "application/json",
            422,
            "INVALID_AMOUNT",
        ),
        (
            "/v1/adapters/baan/sales-orders",
            b'{"orno": "1", "ofbp": "BP003", "ccur": "XXX", "oamt": "1.00"}',
            "application/json",
            422,
            "UNSUPPORTED_CURRENCY",
        ),
    ],
)
def test_hostile_payloads_change_nothing(
    api: Api, path: str, content: bytes, ctype: str, status: int, code: str
) -> None:
    api.customer("BP003", credit_limit="50000.00")
    r = post(api, path, content, ctype)
    assert r.status_code == status  # type: ignore[attr-defined]
    assert r.json()["error"]["code"] == code  # type: ignore[attr-defined]
    assert api.get("/v1/customers/BP003/exposure").json()["orders"] == []


def test_adapter_endpoints_need_the_erp_role(api: Api) -> None:
    r = api.client.post(
        "/v1/adapters/sap/sales-orders",
        content=b"{}",
        headers={"Authorization": f"Bearer {KEYS['sales']}"},
    )
    assert r.status_code == 403


@pytest.mark.parametrize("encoding", ["x-bogus", "EBCDIC"])
def test_an_unknown_xml_encoding_is_a_422_not_a_500(sap_customer: Api, encoding: str) -> None:
    idoc = (FIXTURES / "sap_orders05.xml").read_bytes()
    declared = idoc.replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode(), 1)
    assert declared != idoc
    r = post(sap_customer, "/v1/adapters/sap/sales-orders", declared, "application/xml")
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    assert r.json()["error"]["code"] == "MALFORMED_PAYLOAD"  # type: ignore[attr-defined]


def test_a_key_scoped_to_another_erp_is_refused_by_an_erps_endpoint(api: Api) -> None:
    api.customer("1000003", credit_limit="5000.00", currency="EUR")
    api.customer("BP003", credit_limit="50000.00")
    baan_key = {"Authorization": f"Bearer {KEYS['erp_baan']}", "Content-Type": "application/json"}
    sap_order = (FIXTURES / "sap_sales_order.json").read_bytes()
    baan_order = (FIXTURES / "baan_sales_order.json").read_bytes()
    refused = api.client.post("/v1/adapters/sap/sales-orders", content=sap_order, headers=baan_key)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "ERP_SCOPE"
    idoc = {**baan_key, "Content-Type": "application/xml"}
    xml = (FIXTURES / "sap_orders05.xml").read_bytes()
    assert (
        api.client.post("/v1/adapters/sap/sales-orders", content=xml, headers=idoc).status_code
        == 403
    )
    own = api.client.post("/v1/adapters/baan/sales-orders", content=baan_order, headers=baan_key)
    assert own.status_code == 200 and own.json()["blck"] == "no"
    assert api.get("/v1/customers/1000003/exposure").json()["orders"] == []  # nothing recorded


def test_a_zero_amount_from_an_erp_is_an_invalid_amount_as_on_the_check(api: Api) -> None:
    api.customer("BP003", credit_limit="50000.00")
    zero = b'{"orno": "1", "ofbp": "BP003", "ccur": "EUR", "oamt": "0"}'
    r = post(api, "/v1/adapters/baan/sales-orders", zero)
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    assert r.json()["error"]["code"] == "INVALID_AMOUNT"  # type: ignore[attr-defined]
