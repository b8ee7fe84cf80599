"""Issue 25 item 1b: the committee's decisions recorded from the report page's form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.gateway.conftest import START, Api
from tests.support.console import csrf, sign_in

TODAY = START.date()
PAGE = "/console/reports/credit-committee?month=2026-11"
POST = "/console/reports/credit-committee/decisions"


def seed(api: Api) -> None:
    api.customer("C100", name="Muster GmbH")
    api.customer("C200", name="Huang Trading")
    due = (TODAY - timedelta(days=40)).isoformat()
    items = [{"item_id": "I1", "kind": "invoice", "amount": "800.00", "currency": "EUR",
              "due_date": due}]  # fmt: skip
    assert api.items("C100", items).status_code == 200


def post(api: Api, **fields: Any) -> Any:
    token = csrf(api.client.get(PAGE).text)
    data = {
        "csrf": token,
        "month": "2026-11",
        "customer_id": "C100",
        "kind": "stop_shipments",
        "note": "no payment since September",
        "until": "",
    }
    data.update(fields)
    return api.client.post(POST, data=data, follow_redirects=False)


def test_the_form_records_a_stop_shipment_and_the_page_shows_it(api: Api) -> None:
    seed(api)
    sign_in(api, "credit_controller")
    html = api.client.get(PAGE, headers={"Accept-Language": "en"}).text
    assert f'action="{POST}"' in html and 'name="csrf"' in html
    assert '<option value="C200">' in html
    r = post(api)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == PAGE
    page = api.client.get(PAGE, headers={"Accept-Language": "en"}).text
    assert "Stop shipments until paid" in page and "no payment since September" in page
    assert "Blocked" in page
    held = api.check("4500000001", "100.00").json()
    assert "CUSTOMER_BLOCKED" in [x["code"] for x in held["reasons"]]
    r = post(api, kind="term_change", note="net 30 instead of 60", customer_id="C200")
    assert r.status_code == 303
    page = api.client.get(PAGE).text
    assert 'href="/console/applications/new?kind=update&amp;customer=C200"' in page
    zh = api.client.get(PAGE, headers={"Accept-Language": "zh-CN"}).text
    assert "停止发货直至付款" in zh and "记录信用委员会的决定" in zh
    # Next month's report shows them as last month's.
    listed = api.get(
        "/v1/reports/credit-committee/decisions?month=2026-11", who="finance_manager"
    ).json()["decisions"]
    assert [(d["customer_id"], d["kind"]) for d in listed] == [
        ("C100", "stop_shipments"),
        ("C200", "term_change"),
    ]


def test_an_extension_with_its_until_date(api: Api) -> None:
    seed(api)
    sign_in(api, "finance_manager")
    assert post(api, kind="extension", note="60 days", until="2026-12-31").status_code == 303
    listed = api.get(
        "/v1/reports/credit-committee/decisions?month=2026-11", who="finance_manager"
    ).json()["decisions"]
    assert [(d["kind"], d["until"]) for d in listed] == [("extension", "2026-12-31")]


def test_bad_forms_are_refused_with_a_message_and_nothing_stored(api: Api) -> None:
    seed(api)
    sign_in(api, "finance_manager")
    for fields in (
        {"note": "  "},
        {"csrf": "forged"},
        {"kind": "write_off"},
        {"customer_id": "C999"},
        {"until": "31.12.2026"},
        {"month": "2030-01"},
    ):
        r = post(api, **fields)
        assert r.status_code == 422, (fields, r.text)
        assert 'class="error"' in r.text, fields
    listed = api.get(
        "/v1/reports/credit-committee/decisions?month=2026-11", who="finance_manager"
    ).json()["decisions"]
    assert listed == []


def test_other_roles_may_not_post(api: Api) -> None:
    seed(api)
    sign_in(api, "sales")
    r = api.client.post(POST, data={"customer_id": "C100", "kind": "stop_shipments",
                                    "note": "x", "month": "2026-11"})  # fmt: skip
    assert r.status_code == 403
