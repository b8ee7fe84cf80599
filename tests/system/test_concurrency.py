"""Two gateway processes, one database, many concurrent orders for one customer:
released exposure never exceeds the limit, and every order is reserved once."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.system.conftest import ERP, StartGateway

pytestmark = pytest.mark.slow


def put_customer(url: str, cid: str, limit: str) -> None:
    r = httpx.put(
        f"{url}/v1/customers/{cid}",
        headers=ERP,
        timeout=10,
        json={
            "name": cid,
            "credit_limit": limit,
            "currency": "EUR",
            "grade": "A",
            "payment_terms_days": 30,
            "blocked": False,
            "review_date": None,
        },
    )
    r.raise_for_status()


def check(
    url: str, order_id: str, amount: str, cid: str = "CC1", revision: int = 1
) -> dict[str, Any]:
    with httpx.Client(timeout=30) as client:
        r = client.post(
            f"{url}/v1/orders/check",
            headers=ERP,
            json={
                "erp": "sap",
                "order_id": order_id,
                "revision": revision,
                "customer_id": cid,
                "amount": amount,
                "currency": "EUR",
            },
        )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def exposure(url: str, cid: str = "CC1") -> dict[str, Any]:
    r = httpx.get(f"{url}/v1/customers/{cid}/exposure", headers=ERP, timeout=10)
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


def test_concurrent_orders_never_exceed_the_limit(start_gateway: StartGateway) -> None:
    a, b = start_gateway(), start_gateway()
    put_customer(a.url, "CC1", "10000.00")
    rnd = random.Random(7)
    orders = [(f"P{n}", f"{rnd.randint(300, 1500)}.{rnd.randint(0, 99):02d}") for n in range(48)]
    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(lambda o: check((a if int(o[0][1:]) % 2 else b).url, *o), orders))
    released = [
        Decimal(x["exposure"]["order_amount"]) for x in answers if x["outcome"] == "release"
    ]
    assert released, "some orders must fit"
    assert sum(released) <= Decimal("10000.00")
    assert any(x["outcome"] == "hold" for x in answers)
    exp = exposure(a.url)
    assert Decimal(exp["exposure"]["open_orders"]) == sum(released)
    assert len(exp["orders"]) == len(released)


def test_the_same_order_sent_to_both_processes_reserves_once(
    start_gateway: StartGateway,
) -> None:
    a, b = start_gateway(), start_gateway()
    put_customer(a.url, "CC1", "10000.00")
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda n: check((a, b)[n % 2].url, "SAME", "4000.00"), range(40)))
    assert len({x["decision_id"] for x in answers}) == 1
    assert exposure(b.url)["exposure"]["open_orders"] == "4000.00"


def test_unknown_customer_races_replay_one_answer(start_gateway: StartGateway) -> None:
    a, b = start_gateway(), start_gateway()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(
                lambda n: check((a, b)[n % 2].url, "GHOST-1", "10.00", cid="NOBODY"), range(30)
            )
        )
    assert len({x["decision_id"] for x in answers}) == 1
    assert answers[0]["reasons"][0]["code"] == "NO_CREDIT"


def test_kill9_and_restart_lose_no_acknowledged_decision(start_gateway: StartGateway) -> None:
    a = start_gateway()
    put_customer(a.url, "CC1", "50000.00")
    acknowledged: dict[str, dict[str, Any]] = {}

    def send(n: int) -> None:
        try:
            answer = check(a.url, f"K{n}", "700.00")
        except (httpx.HTTPError, AssertionError):
            return  # not acknowledged: the crash cut it off
        acknowledged[answer["order_id"]] = answer

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(send, n) for n in range(120)]
        while len(acknowledged) < 30:
            time.sleep(0.01)
        a.kill9()
        for f in futures:
            f.result()
    a.start()
    for order_id, answer in acknowledged.items():
        again = check(a.url, order_id, "700.00")
        assert again["decision_id"] == answer["decision_id"]
    exp = exposure(a.url)
    released = exp["orders"]
    assert Decimal(exp["exposure"]["open_orders"]) == sum(Decimal(o["reserved"]) for o in released)
    assert {o["order_id"] for o in released} >= {
        k for k, v in acknowledged.items() if v["outcome"] == "release"
    }
    assert Decimal(exp["exposure"]["open_orders"]) <= Decimal("50000.00")
