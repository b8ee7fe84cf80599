"""App fixtures: the real app on a real database (SQLite file, or throwaway PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from gateway.app import create_app
from gateway.auth import parse_api_keys
from gateway.settings import Settings
from tests.support.keys import API_KEYS, KEYS, SECRET

__all__ = ["API_KEYS", "KEYS", "SECRET"]  # re-exported for the other test packages

ROOT = Path(__file__).resolve().parents[2]

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Api:
    """A TestClient that speaks as one principal at a time."""

    client: TestClient
    clock: FakeClock | None = None

    def _headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {KEYS[who]}"} if who else {}

    def post(self, path: str, json: Any = None, who: str | None = "erp", **kw: Any) -> Any:
        return self.client.post(path, json=json, headers=self._headers(who), **kw)

    def put(self, path: str, json: Any = None, who: str | None = "erp", **kw: Any) -> Any:
        return self.client.put(path, json=json, headers=self._headers(who), **kw)

    def get(self, path: str, who: str | None = "erp", **kw: Any) -> Any:
        return self.client.get(path, headers=self._headers(who), **kw)

    # Domain shortcuts used across the tests.
    def customer(self, cid: str = "C100", **fields: Any) -> Any:
        body = {
            "name": f"Customer {cid}",
            "credit_limit": "10000.00",
            "currency": "EUR",
            "grade": "B",
            "payment_terms_days": 30,
            "blocked": False,
            "review_date": None,
        }
        body.update(fields)
        r = self.put(f"/v1/customers/{cid}", body)
        assert r.status_code == 200, r.text
        return r.json()

    def items(self, cid: str, items: list[dict[str, Any]], as_of: str | None = None) -> Any:
        """Push a snapshot. An ERP sends it when it takes it: a snapshot dated after the
        fake clock's reading moves the clock there (the gateway refuses future ones)."""
        if as_of and self.clock is not None:
            taken = datetime.fromisoformat(as_of)
            if taken.tzinfo is not None and self.clock.now < taken:
                self.clock.now = taken
        return self.put(
            f"/v1/customers/{cid}/open-items", {"as_of": as_of or START.isoformat(), "items": items}
        )

    def check(self, order_id: str = "4500000001", amount: Any = "1000.00", **fields: Any) -> Any:
        body = {
            "erp": "sap",
            "order_id": order_id,
            "revision": 1,
            "customer_id": "C100",
            "amount": amount,
            "currency": "EUR",
            "override_token": None,
        }
        body.update(fields)
        return self.post("/v1/orders/check", body)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/gateway.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


SHIPPED_CONFIG = ROOT / "config" / "gateway.toml"

# The approval tiers shipped before seed 004's chain became the default: tests of the
# unfreeze flow that are about something else than the chain use them by configuring
# them (`config_text`), as an operator may.
TWO_TIERS = """
[[approval.tiers]]
min_amount = "0"
roles = ["sales_manager", "finance_manager"]

[[approval.tiers]]
min_amount = "100000.00"
roles = ["sales_manager", "finance_manager", "general_manager"]
"""


def shipped_config(
    *, tiers: str | None = None, approval: dict[str, str] | None = None, extra: str = ""
) -> str:
    """The shipped config, its approval tiers replaced by `tiers`, the [approval] keys in
    `approval` set (TOML values as written), and `extra` sections appended."""
    text = SHIPPED_CONFIG.read_text()
    head, sep, rest = text.partition("[[approval.tiers]]")
    cut = rest.index("[approval.grades]")
    text = head + (tiers if tiers is not None else sep + rest[:cut]) + "\n" + rest[cut:]
    for key, value in (approval or {}).items():
        line = re.compile(rf"^{key} = .*$", re.MULTILINE)
        if line.search(text):
            text = line.sub(f"{key} = {value}", text, count=1)
        else:
            text = text.replace("[approval]\n", f"[approval]\n{key} = {value}\n", 1)
    return text + "\n" + extra


@pytest.fixture
def config_text() -> str | None:
    """None: the shipped config file; a module overrides it with its own TOML text."""
    return None


@pytest.fixture
def settings(database_url: str, config_text: str | None, tmp_path: Path) -> Settings:
    path = SHIPPED_CONFIG
    if config_text is not None:
        path = tmp_path / "gateway.toml"
        path.write_text(config_text)
    return Settings(
        database_url=database_url,
        config_path=path,
        api_keys=parse_api_keys(API_KEYS),
        token_secret=SECRET,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(settings: Settings, clock: FakeClock) -> Iterator[Api]:
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        yield Api(client, clock)
        assert_reservations_add_up(app.state.resources.engine)


def assert_reservations_add_up(engine: Engine) -> None:
    """Every customer's reserved total equals the sum of its orders' reservations.

    Checked after every test of the app, on both databases: the check reads the
    customer's total instead of summing the ledger, so no write may let them drift.
    """
    drift = text(
        "SELECT c.customer_id, c.reserved, COALESCE(SUM(o.reserved), 0) "
        "FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id "
        "GROUP BY c.customer_id, c.reserved HAVING c.reserved <> COALESCE(SUM(o.reserved), 0)"
    )
    with engine.connect() as conn:
        assert conn.execute(drift).all() == []
