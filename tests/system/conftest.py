"""Real `gateway serve` processes on a shared database."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.gateway.conftest import API_KEYS, KEYS, SECRET
from tests.support.processes import ServerProcess, free_port

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
        port = free_port()
        server = ServerProcess(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            port=port,
            env={
                "GATEWAY_DATABASE_URL": shared_db,
                "GATEWAY_API_KEYS": API_KEYS,
                "GATEWAY_TOKEN_SECRET": SECRET,
                "GATEWAY_LOG_FORMAT": "json",
                "GATEWAY_CONFIG": str(ROOT / "config" / "gateway.toml"),
                **(extra_env or {}),
            },
            log=tmp_path / f"gateway-{port}.log",
            cwd=ROOT,
        )
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
