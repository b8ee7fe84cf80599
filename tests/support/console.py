"""Signing in to the console as a browser would, and reading its forms' hidden fields."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx

from tests.support.keys import KEYS

if TYPE_CHECKING:
    from tests.gateway.conftest import Api


def log_in(api: Api, key: str, **headers: str) -> httpx.Response:
    """Post the sign-in form with `key`, as a browser does: the form first, for its token."""
    token = csrf(api.client.get("/console/login").text)
    return api.client.post(
        "/console/login",
        data={"api_key": key, "next": "/console", "csrf": token},
        headers=headers,
        follow_redirects=False,
    )


def sign_in(api: Api, who: str, **headers: str) -> httpx.Response:
    """Sign `api` in to the console with `who`'s key."""
    r = log_in(api, KEYS[who], **headers)
    assert r.status_code == 303, r.text
    return r


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)
