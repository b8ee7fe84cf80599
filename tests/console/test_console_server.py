"""Console security without a browser: cookie flags, CSRF, roles, bad input."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gateway.db.engine import _sqlite_writer
from tests.gateway.conftest import KEYS, Api
from tests.support.console import csrf, log_in, sign_in


def session_cookie(r: httpx.Response) -> str:
    (cookie,) = (c for c in r.headers.get_list("set-cookie") if c.startswith("gateway_console="))
    return cookie


def test_session_cookie_flags_and_no_key_inside(api: Api) -> None:
    cookie = session_cookie(sign_in(api, "sales"))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert KEYS["sales"] not in cookie
    assert "Secure" not in cookie  # plain HTTP here; set behind TLS (X-Forwarded-Proto)
    assert "Secure" in session_cookie(sign_in(api, "sales", **{"X-Forwarded-Proto": "https"}))


def test_pages_need_a_session(api: Api) -> None:
    r = api.client.get("/console/held", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")


def test_erp_keys_and_wrong_keys_cannot_sign_in(api: Api) -> None:
    r = log_in(api, KEYS["erp"])
    assert r.status_code == 401 and "ERP keys cannot sign in" in r.text
    assert log_in(api, "nope-nope-nope-nope").status_code == 401


def test_forms_without_csrf_change_nothing(api: Api) -> None:
    api.customer("C100", credit_limit="100.00")
    decision = api.check("O1", "500.00").json()["decision_id"]
    sign_in(api, "sales")
    r = api.client.post(
        "/console/orders/sap/O1/unfreeze",
        data={
            "decision_id": decision,
            "condition": "other",
            "justification": "please",
            "csrf": "forged",
        },
    )
    assert r.status_code == 422 and "stale" in r.text
    assert api.get("/v1/unfreeze-requests", who="admin").json()["requests"] == []
    page = api.client.get("/console/orders/sap/O1").text
    r = api.client.post(
        "/console/orders/sap/O1/unfreeze",
        data={
            "decision_id": decision,
            "condition": "other",
            "justification": "please",
            "csrf": csrf(page),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_roles_see_only_their_pages(api: Api) -> None:
    api.customer("C100")
    sign_in(api, "sales")
    assert api.client.get("/console/customers/C100").status_code == 403
    assert api.client.get("/console/audit").status_code == 403
    sign_in(api, "finance_manager")
    assert api.client.get("/console/customers/C100").status_code == 200
    assert api.client.get("/console/audit").status_code == 200


@pytest.mark.parametrize("who", ["credit_controller", "cfo"])
def test_the_finance_roles_added_see_held_orders_and_no_more_yet(api: Api, who: str) -> None:
    api.customer("C100", credit_limit="100.00")
    decision = api.check("O1", "500.00").json()["decision_id"]
    asked = {"decision_id": decision, "condition": "other", "justification": "please"}
    rid = api.post("/v1/unfreeze-requests", asked, who="sales").json()["request_id"]
    sign_in(api, who)
    # They read unfreeze requests, as on the API (the credit controller's archive, §3b).
    landing = api.client.get("/console")
    assert landing.status_code == 200 and landing.url.path == "/console/requests"
    assert api.client.get(f"/console/requests/{rid}").status_code == 200
    held = api.client.get("/console/held")
    assert held.status_code == 200 and "O1" in held.text
    for path in ("/console/customers/C100",):
        page = api.client.get(path)
        assert page.status_code == 403 and "Not for your role" in page.text, path
    assert api.client.get("/console/audit").status_code == 403


def test_absurd_forms_are_refused_not_crashed(api: Api) -> None:
    r = api.client.post(
        "/console/login",
        content=b"&".join([b"a=1"] * 500),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 403  # read as an empty form: no sign-in token
    sign_in(api, "sales")
    r = api.client.post("/console/requests/x/approve", content=b"\xff\xfe" * 10)
    assert r.status_code == 403


# The in-process writer lock exists on SQLite only; PostgreSQL has no such queue.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_console_write_waiting_for_the_sqlite_writer_leaves_checks_answering(
    api: Api,
) -> None:
    api.customer("C100", credit_limit="100.00")
    decision = api.check("O1", "500.00").json()["decision_id"]
    sign_in(api, "sales")
    form = {
        "decision_id": decision,
        "condition": "other",
        "justification": "please",
        "csrf": csrf(api.client.get("/console/orders/sap/O1").text),
    }
    # Two threads: the form post, then a probe; the lock is released before either is
    # awaited without a timeout, so a regression fails the test instead of hanging it.
    with ThreadPoolExecutor(2) as pool:
        with _sqlite_writer:  # another writer holds SQLite while the form is posted
            pending = pool.submit(
                api.client.post,
                "/console/orders/sap/O1/unfreeze",
                data=form,
                follow_redirects=False,
            )
            time.sleep(0.2)  # the console route is now waiting for the lock
            assert not pending.done()
            # Were the wait on the event loop, this request would not be served.
            probe = pool.submit(api.client.get, "/healthz")
            assert probe.result(timeout=5).status_code == 200
        assert pending.result(timeout=10).status_code == 303
    assert len(api.get("/v1/unfreeze-requests", who="admin").json()["requests"]) == 1


def test_the_root_address_opens_the_console_and_unknown_pages_are_pages(api: Api) -> None:
    r = api.client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/console"
    r = api.client.get("/console/no/such/page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Page not found" in r.text and "/console/no/such/page" in r.text
    # The API's unknown addresses stay JSON errors.
    r = api.client.get("/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_the_order_page_names_the_customer_its_terms_and_the_invoices_to_chase(api: Api) -> None:
    api.customer("C100", name="Muster GmbH", grade="C", payment_terms_days=45)
    api.items(
        "C100",
        [
            {
                "item_id": "INV-OLD",
                "kind": "invoice",
                "amount": "1200.00",
                "currency": "EUR",
                "due_date": "2026-10-01",
            },
            {
                "item_id": "INV-NEW",
                "kind": "invoice",
                "amount": "800.00",
                "currency": "EUR",
                "due_date": "2026-12-20",
            },
            {
                "item_id": "INV-MID",
                "kind": "invoice",
                "amount": "300.00",
                "currency": "EUR",
                "due_date": "2026-11-01",
            },
        ],
    )
    assert api.check("O1", "100.00").json()["outcome"] == "hold"
    sign_in(api, "sales")
    page = api.client.get("/console/orders/sap/O1").text
    assert "Muster GmbH" in page and "credit terms 45 days" in page
    table = page.split('id="overdue-items"')[1].split("</table>")[0]
    assert table.index("INV-OLD") < table.index("INV-MID")  # oldest first
    assert "INV-NEW" not in table  # not due yet
    assert "1,200.00" in table and ">52<" in table  # days past due on 2026-11-22
