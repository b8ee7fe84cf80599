"""One override token, many concurrent checks over two processes: it releases once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.gateway.conftest import KEYS
from tests.system.conftest import ERP, StartGateway
from tests.system.test_concurrency import put_customer

pytestmark = pytest.mark.slow


def as_(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[who]}"}


def approved_token(url: str) -> str:
    return approved(url)[1]


def approved(url: str) -> tuple[str, str]:
    """An approved request for held order T1 of CC1, and its token."""
    put_customer(url, "CC1", "1000.00")
    held = httpx.post(
        f"{url}/v1/orders/check",
        headers=ERP,
        json={
            "erp": "sap",
            "order_id": "T1",
            "revision": 1,
            "customer_id": "CC1",
            "amount": "5000.00",
            "currency": "EUR",
        },
    ).json()
    assert held["outcome"] == "hold"
    created = httpx.post(
        f"{url}/v1/unfreeze-requests",
        headers=as_("sales"),
        json={
            "decision_id": held["decision_id"],
            "condition": "other",
            "justification": "key account",
        },
    ).json()
    rid = created["request_id"]
    for who in created["required_roles"]:
        r = httpx.post(
            f"{url}/v1/unfreeze-requests/{rid}/approve", headers=as_(who), json={"comment": "ok"}
        )
        assert r.status_code == 200, r.text
    token: str = httpx.get(f"{url}/v1/unfreeze-requests/{rid}", headers=as_("sales")).json()[
        "token"
    ]
    return rid, token


def send(url: str, token: str, revision: int) -> tuple[int, dict[str, Any]]:
    with httpx.Client(timeout=30) as client:
        r = client.post(
            f"{url}/v1/orders/check",
            headers=ERP,
            json={
                "erp": "sap",
                "order_id": "T1",
                "revision": revision,
                "customer_id": "CC1",
                "amount": "5000.00",
                "currency": "EUR",
                "override_token": token,
            },
        )
    return r.status_code, r.json()


def test_racing_redemptions_release_once(start_gateway: StartGateway) -> None:
    a, b = start_gateway(), start_gateway()
    token = approved_token(a.url)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda n: send((a, b)[n % 2].url, token, 2 + n), range(30)))
    released = [body for status, body in results if status == 200 and body["outcome"] == "release"]
    # The token releases once; later revisions of that order (same amount, within the
    # days) stay released under release validity, which says so (valid_until).
    by_token = [body for body in released if "valid_until" not in body["override"]]
    assert len(by_token) == 1
    for body in released:
        assert body["override"]["request_id"] == by_token[0]["override"]["request_id"]
        assert body["revision"] >= by_token[0]["revision"]
    for status, body in results:
        assert status in (200, 409)
        if status == 409:
            assert body["error"]["code"] == "STALE_REVISION"
        elif body["outcome"] == "hold":
            assert body["reasons"][-1]["code"] == "OVERRIDE_REJECTED"
    exposure = httpx.get(f"{a.url}/v1/customers/CC1/exposure", headers=ERP).json()
    assert exposure["exposure"]["open_orders"] in ("5000.00", "0.00")


def test_the_same_redemption_retried_concurrently_is_one_answer(
    start_gateway: StartGateway,
) -> None:
    a, b = start_gateway(), start_gateway()
    token = approved_token(a.url)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda n: send((a, b)[n % 2].url, token, 1), range(24)))
    assert {status for status, _ in results} == {200}
    assert len({body["decision_id"] for _, body in results}) == 1
    assert results[0][1]["outcome"] == "release"
