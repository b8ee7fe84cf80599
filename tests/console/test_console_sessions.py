"""Console sessions end with access: a key or role taken away, a sign-out, expiry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gateway.app import create_app
from gateway.auth import parse_api_keys
from gateway.settings import Settings
from tests.gateway.conftest import API_KEYS, KEYS, Api, FakeClock
from tests.support.console import csrf, sign_in
from tests.support.keys import IDENTITY


def ring(**roles: str | None) -> str:
    """The test key ring with some principals given another role, or (None) removed."""
    entries = []
    for name, key in KEYS.items():
        principal, role = IDENTITY.get(name, (name, name))
        if name in roles:
            if roles[name] is None:
                continue
            role = str(roles[name])
        entries.append(f"{principal}:{role}:{key}")
    return ",".join(entries)


@contextmanager
def restarted(settings: Settings, clock: FakeClock, keys: str) -> Iterator[TestClient]:
    """The gateway restarted on the same database with another GATEWAY_API_KEYS."""
    app = create_app(replace(settings, api_keys=parse_api_keys(keys)), clock=clock)
    with TestClient(app) as client:
        yield client


def pending_request(api: Api) -> str:
    api.customer("C100", credit_limit="10000.00")
    decision = api.check("O1", "12000.00").json()["decision_id"]
    body = {"decision_id": decision, "condition": "other", "justification": "CFO informed"}
    r = api.post("/v1/unfreeze-requests", body, who="sales")
    assert r.status_code == 201, r.text
    return str(r.json()["request_id"])


@pytest.mark.parametrize(
    "keys",
    [ring(sales_manager=None), ring(sales_manager="finance_manager")],
    ids=["key-removed", "role-changed"],
)
def test_a_session_ends_when_its_key_or_role_is_gone(
    api: Api, settings: Settings, clock: FakeClock, keys: str
) -> None:
    rid = pending_request(api)
    sign_in(api, "sales_manager")
    token = csrf(api.client.get(f"/console/requests/{rid}").text)
    cookies = dict(api.client.cookies)
    assert keys != API_KEYS
    with restarted(settings, clock, keys) as client:
        client.cookies.update(cookies)
        r = client.get("/console/requests?status=pending", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
        r = client.post(
            f"/console/requests/{rid}/approve",
            data={"csrf": token, "comment": "still me"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
    got = api.get(f"/v1/unfreeze-requests/{rid}", who="admin").json()
    assert got["approvals"] == [] and got["status"] == "pending"


def test_a_session_survives_a_restart_with_the_same_key(
    api: Api, settings: Settings, clock: FakeClock
) -> None:
    sign_in(api, "sales")
    cookies = dict(api.client.cookies)
    with restarted(settings, clock, API_KEYS) as client:
        client.cookies.update(cookies)
        assert client.get("/console/held", follow_redirects=False).status_code == 200


def test_signing_out_ends_the_session_everywhere(
    api: Api, settings: Settings, clock: FakeClock
) -> None:
    sign_in(api, "sales")
    kept = dict(api.client.cookies)  # a copy of the cookie taken before signing out
    # A second process on the same database (another worker) honours the same session.
    with restarted(settings, clock, API_KEYS) as other:
        other.cookies.update(kept)
        assert other.get("/console/held", follow_redirects=False).status_code == 200
        token = csrf(api.client.get("/console/held").text)
        r = api.client.post("/console/logout", data={"csrf": token}, follow_redirects=False)
        assert r.status_code == 303
        r = other.get("/console/held", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
    api.client.cookies.clear()
    api.client.cookies.update(kept)
    r = api.client.get("/console/held", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")


def test_a_session_expires_after_eight_hours_and_expired_ones_are_deleted(
    api: Api, clock: FakeClock
) -> None:
    sign_in(api, "sales")
    clock.advance(hours=7, minutes=59)
    assert api.client.get("/console/held", follow_redirects=False).status_code == 200
    clock.advance(minutes=2)
    r = api.client.get("/console/held", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
    sign_in(api, "sales")  # a sign-in deletes the sessions that have expired
    engine = api.client.app.state.resources.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM console_sessions")).scalar_one() == 1
