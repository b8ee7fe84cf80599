"""`gateway serve` says when it is ready, where, and where to look next."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.processes import gateway_process

pytestmark = [pytest.mark.slow]


def test_serve_logs_one_ready_line_with_its_address(tmp_path: Path) -> None:
    server = gateway_process(tmp_path, f"sqlite:///{tmp_path}/ready.db")
    with server:
        lines = [json.loads(x) for x in server.tail(20000).splitlines() if x.startswith("{")]
    ready = [line for line in lines if line.get("event") == "gateway_ready"]
    assert len(ready) == 1, server.tail()
    assert ready[0]["url"] == server.url
    assert ready[0]["console"] == f"{server.url}/console"
    assert ready[0]["api_docs"] == f"{server.url}/docs"
    assert ready[0]["database"] == "sqlite"
