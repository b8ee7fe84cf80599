"""On PostgreSQL an ordinary check costs two round trips to the database, counted on
the wire (tests/support/round_trips.py): BEGIN with everything the check reads, then
its writes with COMMIT (gateway.db.pipeline, gateway.orders.reads). So the number
cannot grow back unnoticed; the rarer cases cost more and are counted too. (A
customer's first check in a process reads in turn: the warm-up below.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from gateway.db.engine import build_engine
from gateway.orders.routes import run_check
from gateway.orders.schemas import CheckIn
from gateway.resources import Resources
from tests.gateway.conftest import Api
from tests.support.postgres import PostgresCluster
from tests.support.round_trips import RoundTripRelay

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url: str) -> str:
    return postgres_url  # PostgreSQL only: round trips are what its checks cost


@pytest.fixture
def relayed(api: Api, pg_cluster: PostgresCluster) -> Iterator[tuple[Resources, RoundTripRelay]]:
    """The app's resources on an engine whose connections pass through the relay."""
    res: Resources = api.client.app.state.resources  # type: ignore[attr-defined]
    with RoundTripRelay(pg_cluster.port) as relay:
        url = make_url(str(res.engine.url.render_as_string(hide_password=False)))
        engine = build_engine(url.set(port=relay.port).render_as_string(hide_password=False))
        try:
            yield dataclasses.replace(res, engine=engine), relay
        finally:
            engine.dispose()


def body(order_id: str, **fields: Any) -> CheckIn:
    values = {
        "erp": "sap",
        "order_id": order_id,
        "revision": 1,
        "customer_id": "C100",
        "amount": "100.00",
        "currency": "EUR",
    }
    return CheckIn.model_validate({**values, **fields})


def trips(relayed: tuple[Resources, RoundTripRelay], check: CheckIn) -> tuple[int, Any]:
    res, relay = relayed
    before = relay.turns
    result = run_check(res, check)
    after = relay.turns
    # The check's trips: those of the one connection it used (the busiest one).
    return max(n - before.get(c, 0) for c, n in after.items()), result


@pytest.fixture
def customer(api: Api) -> None:
    api.customer("C100")
    r = api.items(
        "C100",
        [
            {
                "item_id": "I1",
                "kind": "invoice",
                "amount": "500.00",
                "currency": "EUR",
                "due_date": "2026-12-31",
            }
        ],
    )
    assert r.status_code == 200, r.text


def test_an_ordinary_check_is_two_round_trips(
    customer: None, relayed: tuple[Resources, RoundTripRelay]
) -> None:
    trips(relayed, body("WARM-UP"))  # the connection's start-up and the caches
    for n in range(8):  # psycopg prepares a statement at its fifth run: still two
        count, result = trips(relayed, body(f"45000000{n}"))
        # At most two: the bound that keeps the trips from growing back. Counted on the
        # check's own connection (the app's background loops use others: counted over
        # all, a CI run once saw 3); once a run saw 1, not understood yet (2026-12-08
        # closing note), so the bound is not an equality.
        assert count <= 2 and (result.outcome, result.replayed) == ("release", False)


def test_a_replay_and_a_new_revision_cost_what_they_read_besides(
    customer: None, relayed: tuple[Resources, RoundTripRelay]
) -> None:
    trips(relayed, body("WARM-UP"))
    assert trips(relayed, body("4500000100"))[0] <= 2
    # A replay reads, then commits: nothing to write.
    count, result = trips(relayed, body("4500000100"))
    assert count <= 2 and result.replayed
    # A later revision of a released order reads its unfreeze requests (to void those
    # with outdated figures) and its last release by an override (release validity).
    count, result = trips(relayed, body("4500000100", revision=2, amount="150.00"))
    assert count <= 4 and (result.outcome, result.replayed) == ("release", False)
