"""The whole landscape as real processes: a gateway on SQLite and both mock ERPs."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.gateway.conftest import KEYS
from tests.support.processes import ServerProcess, free_port, gateway_process

ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"Authorization": f"Bearer {KEYS['admin']}"}


@dataclass
class Landscape:
    gateway: ServerProcess
    sap: ServerProcess
    baan: ServerProcess

    def sync(self, erp: str) -> dict[str, object]:
        r = httpx.post(f"{self.gateway.url}/v1/sync/{erp}", headers=ADMIN, timeout=60)
        assert r.status_code == 200, r.text
        body: dict[str, object] = r.json()
        return body

    def order(self, erp: str, customer: str, amount: str) -> dict[str, object]:
        mock = self.sap if erp == "sap" else self.baan
        r = httpx.post(
            f"{mock.url}/orders", json={"customer_id": customer, "amount": amount}, timeout=30
        )
        assert r.status_code == 201, r.text
        body: dict[str, object] = r.json()
        return body


@contextmanager
def running_landscape(tmp_path: Path, sync_interval: int) -> Iterator[Landscape]:
    gateway_server = gateway_process(
        tmp_path,
        f"sqlite:///{tmp_path}/gw.db",
        env={"GATEWAY_CONFIG": str(tmp_path / "gateway.toml")},
    )
    ports = {"gateway": gateway_server.port, "sap": free_port(), "baan": free_port()}
    config = (ROOT / "config" / "gateway.toml").read_text()
    config = config.replace("enabled = false", "enabled = true")
    config = config.replace("http://127.0.0.1:8101", f"http://127.0.0.1:{ports['sap']}")
    config = config.replace("http://127.0.0.1:8102", f"http://127.0.0.1:{ports['baan']}")
    config = re.sub(
        r"sync_interval_seconds = \d+", f"sync_interval_seconds = {sync_interval}", config
    )
    config = re.sub(r"retry_budget_seconds = \d+", "retry_budget_seconds = 3", config)
    (tmp_path / "gateway.toml").write_text(config)
    gateway = gateway_server
    mocks = {
        erp: ServerProcess(
            [
                sys.executable,
                "-m",
                f"adapters.{erp}.mock",
                "--port",
                str(ports[erp]),
                "--gateway-url",
                f"http://127.0.0.1:{ports['gateway']}",
                "--api-key",
                KEYS["erp"],
            ],
            port=ports[erp],
            cwd=ROOT,
            log=tmp_path / f"{erp}.log",
            env={},
        )
        for erp in ("sap", "baan")
    }
    with mocks["sap"], mocks["baan"], gateway:
        yield Landscape(gateway, mocks["sap"], mocks["baan"])
