"""`gateway demo`: the gateway on SQLite, both mock ERPs, and orders flowing.

Starts three real processes (the gateway and the SAP-style and Baan-style mocks),
syncs the mocks' customers and open items into the gateway, then sends a
realistic mix of orders through the mocks (which ask the gateway, as an ERP
would), with occasional changes, payments and injected ERP faults. Prints a live
summary until Ctrl-C, then stops everything; ends at once, with the process's name
and log, if one of the three exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from adapters.sources import LN_PARTNERS, SAP_CREDIT

ROLES = ("erp", "admin", "sales", "sales_manager", "finance_manager", "general_manager")
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
    log = (demo.workdir / f"{name}.log").open("wb")
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


async def _customers(client: httpx.AsyncClient, demo: Demo) -> dict[str, list[str]]:
    sap = (await client.get(demo.mock("sap") + SAP_CREDIT)).json()["d"]["results"]
    baan = (await client.get(demo.mock("baan") + LN_PARTNERS)).json()["value"]
    return {"sap": [c["BusinessPartner"] for c in sap], "baan": [c["bpid"] for c in baan]}


async def _traffic(demo: Demo, rate: float, stats: Counter[str], stop_at: float | None) -> None:
    rnd = random.Random()  # noqa: S311 - demo traffic
    async with httpx.AsyncClient(timeout=10) as client:
        for erp in ("sap", "baan"):
            await client.post(f"{demo.gateway}/v1/sync/{erp}", headers=demo.headers("admin"))
        customers = await _customers(client, demo)
        orders: list[tuple[str, str]] = []
        healing: set[asyncio.Task[None]] = set()
        last_fault = time.monotonic()
        while stop_at is None or time.monotonic() < stop_at:
            erp = rnd.choice(("sap", "baan"))
            roll = rnd.random()
            try:
                if roll < 0.08 and orders:
                    erp, order_id = rnd.choice(orders)
                    amount = f"{rnd.uniform(500, 40000):.2f}"
                    await client.post(
                        f"{demo.mock(erp)}/orders/{order_id}/change", json={"amount": amount}
                    )
                    stats["changes"] += 1
                elif roll < 0.11:
                    await client.post(
                        f"{demo.mock(erp)}/payments",
                        json={
                            "customer_id": rnd.choice(customers[erp]),
                            "amount": f"{rnd.uniform(1000, 30000):.2f}",
                        },
                    )
                    stats["payments"] += 1
                else:
                    amount = f"{rnd.lognormvariate(8.0, 1.0):.2f}"
                    r = await client.post(
                        f"{demo.mock(erp)}/orders",
                        json={"customer_id": rnd.choice(customers[erp]), "amount": amount},
                    )
                    orders.append((erp, r.json()["order_id"]))
                    stats["orders"] += 1
            except (httpx.HTTPError, ValueError, KeyError):
                stats["errors"] += 1
            if time.monotonic() - last_fault > 45:
                # Let one ERP misbehave for a while: the gateway keeps answering.
                victim = rnd.choice(("sap", "baan"))
                await client.post(
                    f"{demo.mock(victim)}/_faults", json={"error_rate": 0.5, "latency_ms": 300}
                )
                stats[f"faults:{victim}"] += 1
                healing.add(asyncio.create_task(_heal_later(client, demo.mock(victim))))
                last_fault = time.monotonic()
            await asyncio.sleep(rnd.expovariate(rate))


async def _heal_later(client: httpx.AsyncClient, mock_url: str) -> None:
    await asyncio.sleep(15)
    with contextlib.suppress(httpx.HTTPError):
        await client.delete(f"{mock_url}/_faults")


def _decisions(metrics_text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for family in text_string_to_metric_families(metrics_text):
        if family.name != "gateway_decisions":
            continue
        for s in family.samples:
            if s.name.endswith("_total"):
                key = "release" if s.labels["outcome"] == "release" else s.labels["reason"]
                out[key] += int(s.value)
    return out


async def _summary(demo: Demo, stats: Counter[str], started: float, stop_at: float | None) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        while stop_at is None or time.monotonic() < stop_at:
            await asyncio.sleep(3)
            try:
                decisions = _decisions((await client.get(f"{demo.gateway}/metrics")).text)
                sync = (
                    await client.get(f"{demo.gateway}/v1/sync", headers=demo.headers("admin"))
                ).json()["erps"]
            except (httpx.HTTPError, ValueError, KeyError):
                print("  (gateway not answering)")
                continue
            elapsed = time.monotonic() - started
            holds = ", ".join(f"{k} {v}" for k, v in decisions.most_common() if k != "release")
            sync_text = "; ".join(
                f"{s['erp']}: {s['customers_synced']} customers, "
                f"{'ok' if not s['last_error'] else 'errors'}"
                for s in sync
            )
            print(
                f"[{elapsed:5.0f}s] {stats['orders'] / elapsed:4.1f} orders/s | "
                f"released {decisions.get('release', 0)} | holds by reason: {holds or '-'} | "
                f"sync {sync_text} | changes {stats['changes']} payments {stats['payments']}",
                flush=True,
            )


async def _watch(demo: Demo, stop_at: float | None) -> None:
    """End the demo when one of its processes exits, instead of showing a dead one."""
    while stop_at is None or time.monotonic() < stop_at:
        for name, proc in zip(PROCESSES, demo.procs, strict=True):
            if proc.poll() is not None:
                log = demo.workdir / f"{name}.log"
                raise DemoError(f"{name} exited (code {proc.returncode}); its log: {log}")
        await asyncio.sleep(0.5)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(
    port: int, sap_port: int, baan_port: int, rate: float, seconds: float | None, config: Path
) -> int:
    # Ctrl-C and `kill` both end the demo cleanly, even when started in the background
    # (where a shell would otherwise have the process ignore SIGINT).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    demo = Demo(port, sap_port, baan_port, Path("var/demo").resolve())
    try:
        ensure_ports_free(demo)
        shutil.rmtree(demo.workdir, ignore_errors=True)
        demo.workdir.mkdir(parents=True)
        start(demo, config)
        _banner(demo)
        stats: Counter[str] = Counter()
        started = time.monotonic()
        stop_at = started + seconds if seconds else None

        async def main() -> None:
            await asyncio.gather(
                _traffic(demo, rate, stats, stop_at),
                _summary(demo, stats, started, stop_at),
                _watch(demo, stop_at),
            )

        asyncio.run(main())
        return 0
    except KeyboardInterrupt:
        return 0
    except DemoError as exc:
        print(f"gateway demo: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if demo.procs:
            print("\nstopping...", flush=True)
            stop(demo)


def _banner(demo: Demo) -> None:
    print(f"""
Order-hold gateway demo (logs in {demo.workdir})
  console      {demo.gateway}/console   (sign in with a key below)
  API docs     {demo.gateway}/docs
  metrics      {demo.gateway}/metrics
  SAP mock     {demo.mock("sap")}/docs      Baan mock  {demo.mock("baan")}/docs
Keys (Authorization: Bearer ...):""")
    for role, key in demo.keys.items():
        print(f"  {role:16} {key}")
    print("Ctrl-C stops everything.\n", flush=True)
