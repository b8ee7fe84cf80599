"""Concurrent checks of different members of one credit group, on one and on two
gateway processes sharing a database (SQLite and PostgreSQL): the released orders
never together exceed the group's limit, though each member's own limit would take
them all."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from tests.system.conftest import ERP, StartGateway
from tests.system.test_concurrency import check, put_customer

pytestmark = pytest.mark.slow

MEMBERS = ("GM1", "GM2", "GM3", "GM4")


@pytest.mark.parametrize("processes", [1, 2])
def test_concurrent_members_never_exceed_the_group_limit(
    start_gateway: StartGateway, processes: int
) -> None:
    gateways = [start_gateway() for _ in range(processes)]
    url = gateways[0].url
    for cid in MEMBERS:
        put_customer(url, cid, "100000.00")
    r = httpx.put(
        f"{url}/v1/credit-groups/G1",
        headers=ERP,
        timeout=10,
        json={
            "name": "Group",
            "credit_limit": "10000.00",
            "currency": "EUR",
            "members": list(MEMBERS),
        },
    )
    r.raise_for_status()
    rnd = random.Random(11)
    orders = [
        (n, f"P{n}", f"{rnd.randint(300, 1500)}.{rnd.randint(0, 99):02d}", MEMBERS[n % 4])
        for n in range(48)
    ]
    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(
            pool.map(lambda o: check(gateways[o[0] % processes].url, o[1], o[2], cid=o[3]), orders)
        )
    released = [
        Decimal(x["exposure"]["order_amount"]) for x in answers if x["outcome"] == "release"
    ]
    assert released, "some orders must fit"
    assert sum(released) <= Decimal("10000.00")
    held = [x for x in answers if x["outcome"] == "hold"]
    assert held and all([r["code"] for r in x["reasons"]] == ["GROUP_LIMIT_EXCEEDED"] for x in held)
    group = httpx.get(f"{gateways[-1].url}/v1/credit-groups/G1", headers=ERP, timeout=10)
    assert Decimal(group.json()["exposure"]["open_orders"]) == sum(released)
