"""Malformed and hostile ERP payloads: a PayloadError with a clear code, nothing else."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.baan import mapping as baan
from adapters.errors import PayloadError
from adapters.sap import mapping as sap

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ORDERS05><IDOC><E1EDK01><BELNR>&lol3;</BELNR></E1EDK01></IDOC></ORDERS05>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ORDERS05><IDOC><E1EDK01><BELNR>&xxe;</BELNR></E1EDK01></IDOC></ORDERS05>"""
DTD_ONLY = b"""<?xml version="1.0"?><!DOCTYPE ORDERS05 SYSTEM "http://example.invalid/x.dtd">
<ORDERS05/>"""


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (BILLION_LAUGHS, "XML_FORBIDDEN"),
        (EXTERNAL_ENTITY, "XML_FORBIDDEN"),
        (DTD_ONLY, "XML_FORBIDDEN"),
        (b"<ORDERS05><IDOC>", "MALFORMED_PAYLOAD"),
        (b"<ORDERS05><IDOC/></ORDERS05>", "MALFORMED_PAYLOAD"),
        (b"<x>" + b"a" * 300_000 + b"</x>", "PAYLOAD_TOO_LARGE"),
        (
            b"<ORDERS05><IDOC><E1EDK01><BELNR>1</BELNR><CURCY>EUR</CURCY></E1EDK01></IDOC></ORDERS05>",
            "MALFORMED_PAYLOAD",
        ),
    ],
)
def test_hostile_idocs(payload: bytes, code: str) -> None:
    with pytest.raises(PayloadError) as err:
        sap.parse_idoc(payload)
    assert err.value.code == code


@pytest.mark.parametrize(
    "payload",
    [
        b"{broken",
        b"[]",
        b"null",
        b'"text"',
        b"[" * 50_000,
        json.dumps(
            {
                "SalesOrder": True,
                "SoldToParty": "1",
                "TotalNetAmount": "1",
                "TransactionCurrency": "EUR",
            }
        ).encode(),
        json.dumps(
            {
                "SalesOrder": "1",
                "SoldToParty": "1",
                "TotalNetAmount": "NaN",
                "TransactionCurrency": "EUR",
            }
        ).encode(),
        json.dumps(
            {
                "SalesOrder": "1",
                "SoldToParty": "1",
                "TotalNetAmount": {"x": 1},
                "TransactionCurrency": "EUR",
            }
        ).encode(),
        json.dumps(
            {
                "SalesOrder": "1" * 65,
                "SoldToParty": "1",
                "TotalNetAmount": "1",
                "TransactionCurrency": "EUR",
            }
        ).encode(),
        json.dumps(
            {
                "SalesOrder": "1",
                "SoldToParty": "1",
                "TotalNetAmount": "1",
                "TransactionCurrency": "EUR",
                "YY1_ChangeCounter_SDH": -1,
            }
        ).encode(),
    ],
)
def test_hostile_sap_json(payload: bytes) -> None:
    with pytest.raises(PayloadError):
        sap.parse_sales_order_json(payload)


@pytest.mark.parametrize(
    "payload",
    [
        b"{",
        b'{"tdsls400": []}',
        b'{"tdsls400": {"orno": "1"}}',
        b'{"orno": "1", "ofbp": "B", "ccur": "EUR", "oamt": "x"}',
        b'{"orno": "1", "ofbp": "B", "ccur": "EUR", "oamt": "1", "sqnb": "two"}',
    ],
)
def test_hostile_baan_json(payload: bytes) -> None:
    with pytest.raises(PayloadError):
        baan.parse_sales_order(payload)


@settings(max_examples=300)
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_parsers_raise_nothing_but_payload_errors(payload: bytes) -> None:
    for parse in (sap.parse_idoc, sap.parse_sales_order_json, baan.parse_sales_order):
        with contextlib.suppress(PayloadError):
            parse(payload)


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "SalesOrder",
                "SoldToParty",
                "TotalNetAmount",
                "TransactionCurrency",
                "YY1_ChangeCounter_SDH",
                "orno",
                "ofbp",
                "ccur",
                "oamt",
                "sqnb",
            ]
        ),
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(max_size=80)
        | st.floats(allow_nan=True),
    )
)
def test_json_parsers_on_wrong_types(record: dict[str, object]) -> None:
    for parse in (sap.parse_sales_order_json, baan.parse_sales_order):
        with contextlib.suppress(PayloadError):
            parse(json.dumps(record).encode())


IDOC_HEAD = (
    b"<ORDERS05><IDOC><E1EDK01><BELNR>7</BELNR><CURCY>EUR</CURCY></E1EDK01>"
    b"<E1EDKA1><PARVW>AG</PARVW><PARTN>1000003</PARTN></E1EDKA1>"
)


def idoc(summe: bytes, declaration: bytes = b'<?xml version="1.0"?>') -> bytes:
    tail = b"<E1EDS01><SUMID>002</SUMID><SUMME>" + summe + b"</SUMME></E1EDS01></IDOC></ORDERS05>"
    return declaration + IDOC_HEAD + tail


@pytest.mark.parametrize("encoding", [b"x-bogus", b"EBCDIC", b"utf-99"])
def test_an_unknown_xml_encoding_is_a_payload_error(encoding: bytes) -> None:
    payload = idoc(b"10.00", b'<?xml version="1.0" encoding="' + encoding + b'"?>')
    with pytest.raises(PayloadError) as err:
        sap.parse_idoc(payload)
    assert err.value.code == "MALFORMED_PAYLOAD"
    assert "encoding" in err.value.message


@pytest.mark.parametrize(
    "summe",
    [b"1e3", b"1_000", b"+100", b".5", b"100.", b"1,000.00", "\u0661\u0660\u0660".encode(), b"-5"],
)
def test_idoc_amounts_in_plain_decimal_notation_only(summe: bytes) -> None:
    with pytest.raises(PayloadError) as err:
        sap.parse_idoc(idoc(summe))
    assert err.value.code == "INVALID_AMOUNT"


def test_idoc_amounts_padded_with_blanks_are_read() -> None:
    assert str(sap.parse_idoc(idoc(b"   1250.50 ")).amount) == "1250.50"


@pytest.mark.parametrize(
    "amount", [b'"1e-999999999"', b"1e3", b'"1_000"', b'"+100"', b"-1", b'".5"', b'"100."']
)
def test_erp_json_amounts_in_plain_decimal_notation_only(amount: bytes) -> None:
    sap_order = (
        b'{"SalesOrder":"1","SoldToParty":"1","TransactionCurrency":"EUR","TotalNetAmount":'
        + amount
        + b"}"
    )
    baan_order = b'{"orno":"1","ofbp":"B","ccur":"EUR","oamt":' + amount + b"}"
    for parse, payload in (
        (sap.parse_sales_order_json, sap_order),
        (baan.parse_sales_order, baan_order),
    ):
        with pytest.raises(PayloadError) as err:
            parse(payload)
        assert err.value.code == "INVALID_AMOUNT"


def test_erp_json_with_a_repeated_key_is_refused() -> None:
    sap_order = (
        b'{"SalesOrder":"1","SoldToParty":"1","TransactionCurrency":"EUR",'
        b'"TotalNetAmount":"99999.00","TotalNetAmount":"1.00"}'
    )
    baan_order = b'{"orno":"1","ofbp":"B","ccur":"EUR","oamt":"99999.00","oamt":"1.00"}'
    for parse, payload in (
        (sap.parse_sales_order_json, sap_order),
        (baan.parse_sales_order, baan_order),
    ):
        with pytest.raises(PayloadError) as err:
            parse(payload)
        assert err.value.code == "DUPLICATE_KEY"
