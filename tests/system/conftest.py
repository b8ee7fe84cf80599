"""Real `gateway serve` processes on a shared database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.gateway.conftest import KEYS
from tests.support.processes import ServerProcess, gateway_process

ROOT = Path(__file__).resolve().parents[2]
ERP = {"Authorization": f"Bearer {KEYS['erp']}"}
ADMIN = {"Authorization": f"Bearer {KEYS['admin']}"}

StartGateway = Callable[..., ServerProcess]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shared.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def start_gateway(shared_db: str, tmp_path: Path) -> Iterator[StartGateway]:
    started: list[ServerProcess] = []

    def start(workers: int = 1, extra_env: dict[str, str] | None = None) -> ServerProcess:
        server = gateway_process(tmp_path, shared_db, workers=workers, env=extra_env)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
