"""The sign-in form: its CSRF token, and the throttle on failed sign-ins."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from tests.gateway.conftest import KEYS, Api, FakeClock
from tests.support.console import csrf, log_in, sign_in


def signed_in(api: Api) -> bool:
    return api.client.get("/console/held", follow_redirects=False).status_code == 200


def post_login(api: Api, **fields: str) -> httpx.Response:
    data = {"api_key": KEYS["sales"], "next": "/console", **fields}
    return api.client.post("/console/login", data=data, follow_redirects=False)


def test_a_sign_in_needs_the_forms_token_and_its_cookie(api: Api) -> None:
    r = post_login(api)  # no token at all: a cross-site form, or a script
    assert r.status_code == 403
    assert "gateway_console=" not in r.headers.get("set-cookie", "")
    assert not signed_in(api)
    assert post_login(api, csrf="forged").status_code == 403
    token = csrf(api.client.get("/console/login").text)
    nonce = api.client.cookies["gateway_console_login"]
    api.client.cookies.clear()  # the token without the browser's pre-session cookie
    assert post_login(api, csrf=token).status_code == 403
    api.client.cookies.set("gateway_console_login", nonce + "x", path="/console")
    assert post_login(api, csrf=token).status_code == 403
    assert not signed_in(api)
    api.client.cookies.clear()
    api.client.cookies.set("gateway_console_login", nonce, path="/console")
    r = post_login(api, csrf=token)
    assert r.status_code == 303
    assert signed_in(api)


def test_a_refused_sign_in_form_comes_back_with_a_fresh_token(api: Api) -> None:
    r = post_login(api)
    token = csrf(r.text)
    assert post_login(api, csrf=token).status_code == 303


WRONG = "nope-nope-nope-nope"


def test_failed_sign_ins_are_throttled_per_address_for_a_minute(api: Api, clock: FakeClock) -> None:
    for _ in range(3):
        sign_in(api, "sales")  # successful sign-ins are not counted
    api.client.cookies.clear()
    for _ in range(10):
        assert log_in(api, WRONG).status_code == 401
        clock.advance(seconds=2)
    r = log_in(api, KEYS["sales"])  # the right key too: the address waits
    assert r.status_code == 429
    assert r.headers["retry-after"] == "40"  # the first failure leaves the window then
    assert "gateway_console=" not in r.headers.get("set-cookie", "")
    assert not signed_in(api)
    # Another address is not held up by this one.
    other = Api(TestClient(api.client.app, client=("192.0.2.7", 50000)))
    sign_in(other, "sales")
    clock.advance(seconds=39)
    assert log_in(api, WRONG).status_code == 429
    clock.advance(seconds=1)
    assert log_in(api, WRONG).status_code == 401  # the oldest failure has left the window
    assert log_in(api, WRONG).status_code == 429  # ... and this one took its place
    clock.advance(seconds=2)
    sign_in(api, "sales")
