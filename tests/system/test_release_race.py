"""A controller's release racing a token redemption and a payment's re-evaluation of
the same held order, over two gateway processes: exactly one releases it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gateway.db.engine import build_engine
from tests.system.conftest import ERP, StartGateway
from tests.system.test_token_race import approved, as_

pytestmark = pytest.mark.slow


def snapshot(url: str, items: list[dict[str, Any]], as_of: datetime) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        return client.put(
            f"{url}/v1/customers/CC1/open-items",
            headers=ERP,
            json={"as_of": as_of.isoformat(), "items": items},
        )


def test_one_release_of_three_racing(start_gateway: StartGateway, shared_db: str) -> None:
    a, b = start_gateway(), start_gateway()
    rid, token = approved(a.url)  # T1: 5,000 held over CC1's limit of 1,000
    # The payment that makes room: CC1's limit is raised, an invoice still blocks it.
    start = datetime.now(UTC) - timedelta(minutes=5)
    httpx.put(
        f"{a.url}/v1/customers/CC1",
        headers=ERP,
        json={
            "name": "CC1",
            "credit_limit": "10000.00",
            "currency": "EUR",
            "grade": "A",
            "payment_terms_days": 30,
            "blocked": False,
            "review_date": None,
        },
    ).raise_for_status()
    invoice = {
        "item_id": "I1",
        "kind": "invoice",
        "amount": "9000.00",
        "currency": "EUR",
        "due_date": "2099-12-31",
    }
    assert snapshot(a.url, [invoice], start).status_code == 200

    def controller() -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            return client.post(
                f"{a.url}/v1/unfreeze-requests/{rid}/release", headers=as_("credit_controller")
            )

    def redemption() -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            return client.post(
                f"{b.url}/v1/orders/check",
                headers=ERP,
                json={
                    "erp": "sap",
                    "order_id": "T1",
                    "revision": 1,
                    "customer_id": "CC1",
                    "amount": "5000.00",
                    "currency": "EUR",
                    "override_token": token,
                },
            )

    def payment() -> httpx.Response:
        return snapshot(b.url, [], start + timedelta(minutes=1))

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(f) for f in (controller, redemption, payment)]
        ctrl, redeem, paid = (f.result() for f in futures)

    assert ctrl.status_code in (200, 409), ctrl.text
    if ctrl.status_code == 409:
        assert ctrl.json()["error"]["code"] == "ORDER_ALREADY_RELEASED"
    assert redeem.status_code == 200, redeem.text
    assert redeem.json()["outcome"] == "release"  # its own release, or the winner's replayed
    assert paid.status_code == 200, paid.text
    engine = build_engine(shared_db)
    try:
        with engine.connect() as conn:
            releases = conn.execute(
                text(
                    "SELECT decision_id FROM decisions "
                    "WHERE order_id = 'T1' AND outcome = 'release'"
                )
            ).all()
    finally:
        engine.dispose()
    assert len(releases) == 1, releases
    winner = releases[0].decision_id
    assert redeem.json()["decision_id"] == winner
    if ctrl.status_code == 200:
        assert ctrl.json()["decision_id"] == winner
        assert paid.json()["released"] == []
    exposure = httpx.get(f"{a.url}/v1/customers/CC1/exposure", headers=ERP).json()
    assert exposure["exposure"]["open_orders"] == "5000.00"
