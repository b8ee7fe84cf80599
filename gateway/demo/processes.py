"""The demo's three processes (the gateway and the two ERP mocks): started on free
ports, watched, and stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROLES = (
    "erp",
    "admin",
    "sales",
    "sales_manager",
    "finance_manager",
    "general_manager",
    "credit_controller",
)
PROCESSES = ("gateway", "sap-mock", "baan-mock")  # in the order `start` spawns them


class DemoError(Exception):
    """The demo cannot start or go on; the message says why and what to do."""


@dataclass
class Demo:
    port: int
    sap_port: int
    baan_port: int
    workdir: Path
    keys: dict[str, str] = field(default_factory=dict)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def mock(self, erp: str) -> str:
        return f"http://127.0.0.1:{self.sap_port if erp == 'sap' else self.baan_port}"

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def _config(demo: Demo, source: Path) -> Path:
    text = source.read_text()
    text = re.sub(r"enabled = false", "enabled = true", text)
    text = text.replace("http://127.0.0.1:8101", demo.mock("sap"))
    text = text.replace("http://127.0.0.1:8102", demo.mock("baan"))
    text = re.sub(r"sync_interval_seconds = \d+", "sync_interval_seconds = 15", text)
    path = demo.workdir / "gateway.toml"
    path.write_text(text)
    return path


def _spawn(demo: Demo, name: str, cmd: list[str], env: dict[str, str]) -> None:
    with (demo.workdir / f"{name}.log").open("wb") as log:  # the child keeps its own
        demo.procs.append(
            subprocess.Popen(
                cmd,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], name: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoError(f"{name} exited:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise DemoError(f"{name} did not become healthy; see {log}")


def ensure_ports_free(demo: Demo) -> None:
    """Before anything starts: else the demo would talk to whatever answers there (an
    earlier demo, with other keys) while its own process fails to listen."""
    for flag, port in (
        ("--port", demo.port),
        ("--sap-port", demo.sap_port),
        ("--baan-port", demo.baan_port),
    ):
        with socket.socket() as probe:
            # As uvicorn binds: a port whose last connections linger in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise DemoError(
                    f"port {port} is in use (another demo still running?): stop it, "
                    f"or choose another port with {flag}"
                ) from None


def start(demo: Demo, config: Path) -> None:
    demo.keys = {role: f"demo-{role}-{secrets.token_urlsafe(12)}" for role in ROLES}
    api_keys = ",".join(f"{role}:{role}:{key}" for role, key in demo.keys.items())
    env = {
        "GATEWAY_API_KEYS": api_keys,
        "GATEWAY_TOKEN_SECRET": secrets.token_urlsafe(32),
        "GATEWAY_DATABASE_URL": f"sqlite:///{demo.workdir}/gateway.db",
        "GATEWAY_CONFIG": str(_config(demo, config)),
        "GATEWAY_LOG_FORMAT": "json",
    }
    py = sys.executable
    _spawn(demo, "gateway", [py, "-m", "gateway.cli", "serve", "--port", str(demo.port)], env)
    for erp, port in (("sap", demo.sap_port), ("baan", demo.baan_port)):
        _spawn(
            demo,
            f"{erp}-mock",
            [
                py,
                "-m",
                f"adapters.{erp}.mock",
                "--port",
                str(port),
                "--gateway-url",
                demo.gateway,
                "--api-key",
                demo.keys["erp"],
            ],
            {},
        )
    urls = (demo.gateway, demo.mock("sap"), demo.mock("baan"))
    for proc, name, url in zip(demo.procs, PROCESSES, urls, strict=True):
        _wait_healthy(url, proc, name, demo.workdir / f"{name}.log")


def stop(demo: Demo) -> None:
    for proc in demo.procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in demo.procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


async def watch(demo: Demo, stop_at: float | None) -> None:
    """End the demo when one of its processes exits, instead of showing a dead one."""
    while stop_at is None or time.monotonic() < stop_at:
        for name, proc in zip(PROCESSES, demo.procs, strict=True):
            if proc.poll() is not None:
                log = demo.workdir / f"{name}.log"
                raise DemoError(f"{name} exited (code {proc.returncode}); its log: {log}")
        await asyncio.sleep(0.5)
