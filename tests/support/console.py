"""Signing in to the console as a browser would, and reading its forms' hidden fields."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.support.keys import KEYS

if TYPE_CHECKING:
    from tests.gateway.conftest import Api


def sign_in(api: Api, who: str) -> None:
    r = api.client.post(
        "/console/login", data={"api_key": KEYS[who], "next": "/console"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)
