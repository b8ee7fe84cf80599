"""The sign-in form: its CSRF token, and the throttle on failed sign-ins."""

from __future__ import annotations

import httpx

from tests.gateway.conftest import KEYS, Api
from tests.support.console import csrf


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
