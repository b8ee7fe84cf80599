"""Benchmarks: the gateway's check against a bare FastAPI endpoint, in the same run.

    python -m bench.run                 # everything, ~10 minutes (5 of them the soak)
    python -m bench.run --quick         # short runs, no soak: a smoke test of the harness

Writes bench/RESULTS.md: the machine, the command, and the figures. Throughput is
reported as a ratio to the bare endpoint (same request model, same uvicorn
settings, same wrk load), never as an absolute number to compare across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.micro_evaluate import measure as measure_evaluate
from bench.report import report
from tests.support.processes import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "bench" / "check.lua"
ERP_KEY = "bench-erp-" + secrets.token_hex(12)
ADMIN_KEY = "bench-admin-" + secrets.token_hex(12)
CUSTOMERS = 1000


@dataclass
class WrkResult:
    label: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    non2xx: int
    requests: int


@contextmanager
def server(cmd: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """A server process for the length of a measurement; yields its pid."""
    with ServerProcess(cmd, port=port, env=env, log=log, cwd=ROOT) as proc:
        assert proc.proc is not None
        yield proc.proc.pid


def uvicorn_bare(port: int, workers: int, app: str = "bench.bare_app:app") -> list[str]:
    # The same settings `gateway serve` passes to uvicorn.
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def gateway_cmd(port: int, workers: int) -> list[str]:
    return [
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
    ]


def gateway_env(db_url: str) -> dict[str, str]:
    return {
        "GATEWAY_DATABASE_URL": db_url,
        "GATEWAY_API_KEYS": f"bench:erp:{ERP_KEY},admin:admin:{ADMIN_KEY}",
        "GATEWAY_TOKEN_SECRET": secrets.token_urlsafe(32),
        "GATEWAY_CONFIG": str(ROOT / "config" / "gateway.toml"),
        # The product's defaults: a JSON log line per decision, as in production.
        "GATEWAY_LOG_LEVEL": "INFO",
        "GATEWAY_LOG_FORMAT": "json",
    }


async def seed(port: int, customers: int = CUSTOMERS) -> None:
    """1,000 customers, each with five open items: realistic balances to sum."""
    headers = {"Authorization": f"Bearer {ERP_KEY}"}
    base = f"http://127.0.0.1:{port}"
    sem = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

        async def one(n: int) -> None:
            cid = f"BC{n:04d}"
            async with sem:
                r = await client.put(
                    f"/v1/customers/{cid}",
                    json={
                        "name": f"Bench {n}",
                        "credit_limit": "100000000.00",
                        "currency": "EUR",
                        "grade": "A",
                        "payment_terms_days": 30,
                        "blocked": False,
                        "review_date": None,
                    },
                )
                r.raise_for_status()
                items = [
                    {
                        "item_id": f"{cid}-I{i}",
                        "kind": "invoice",
                        "amount": "1500.00",
                        "currency": "EUR",
                        "due_date": "2099-12-31",
                    }
                    for i in range(5)
                ]
                r = await client.put(
                    f"/v1/customers/{cid}/open-items",
                    json={"as_of": "2099-01-01T00:00:00+00:00", "items": items},
                )
                r.raise_for_status()

        await asyncio.gather(*(one(n) for n in range(1, customers + 1)))


def wrk(label: str, port: int, connections: int, seconds: int, key: str) -> WrkResult:
    threads = min(2, connections)
    env = {
        **os.environ,
        "BENCH_KEY": key,
        "BENCH_CUSTOMERS": str(CUSTOMERS),
        "BENCH_PREFIX": f"{label.replace(' ', '')}{connections}-{secrets.token_hex(3)}-",
    }
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    return WrkResult(
        label,
        connections,
        data["rps"],
        data["p50_ms"],
        data["p99_ms"],
        data["p999_ms"],
        data["non2xx"],
        data["requests"],
    )


def fsync_latency(path: Path, samples: int = 1000) -> tuple[float, float]:
    """p50 and p99 of one 4 KiB append plus fsync on the benchmark's disk, in ms.

    A durable check waits for one fsync (synchronous=FULL), so this is the floor
    under its latency on this machine.
    """
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for _ in range(samples):
            os.write(fd, b"\0" * 4096)
            started = time.perf_counter()
            os.fsync(fd)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        os.close(fd)
    times.sort()
    return times[samples // 2], times[samples * 99 // 100]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = 5 if args.quick else 15
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    results: dict[str, Any] = {"wrk": [], "scaling": [], "soak": None, "customers": CUSTOMERS}

    port = free_port()
    with server(uvicorn_bare(port, 1), {}, port, work / "bare.log"):
        wrk("bare", port, 16, 3, ERP_KEY)  # warm-up
        for c in (2, 16):
            results["wrk"].append(wrk("bare", port, c, seconds, ERP_KEY))

    # For reference only: the same endpoint as a plain `def`, which FastAPI runs on
    # its thread pool (the ratios are taken against the async one above).
    port = free_port()
    with server(uvicorn_bare(port, 1, "bench.bare_app:sync_app"), {}, port, work / "sync.log"):
        wrk("bare sync def", port, 16, 3, ERP_KEY)
        for c in (2, 16):
            results["wrk"].append(wrk("bare sync def", port, c, seconds, ERP_KEY))

    port = free_port()
    env = gateway_env(f"sqlite:///{work}/bench.db")
    with server(gateway_cmd(port, 1), env, port, work / "gw-sqlite.log"):
        asyncio.run(seed(port))
        wrk("gateway sqlite", port, 16, 3, ERP_KEY)
        for c in (2, 16):
            results["wrk"].append(wrk("gateway sqlite", port, c, seconds, ERP_KEY))

    port = free_port()
    env = {
        **gateway_env(f"sqlite:///{work}/bench-normal.db"),
        "GATEWAY_SQLITE_SYNCHRONOUS": "NORMAL",
    }
    with server(gateway_cmd(port, 1), env, port, work / "gw-sqlite-normal.log"):
        asyncio.run(seed(port))
        wrk("gateway sqlite", port, 16, 3, ERP_KEY)
        for c in (2, 16):
            results["wrk"].append(wrk("gateway sqlite NORMAL", port, c, seconds, ERP_KEY))

    if not args.skip_postgres:
        from tests.support.postgres import PostgresCluster

        # Durable settings (fsync, synchronous_commit on): what production runs.
        cluster = PostgresCluster.start(work / "pg", durable=True)
        try:
            url = cluster.create_database("bench")
            for workers in (1, 2, 4):
                port = free_port()
                log = work / f"gw-pg-{workers}.log"
                with server(gateway_cmd(port, workers), gateway_env(url), port, log):
                    if workers == 1:
                        asyncio.run(seed(port))
                    wrk("gateway postgres", port, 16, 3, ERP_KEY)
                    r = wrk("gateway postgres", port, 16, seconds, ERP_KEY)
                    results["scaling"].append((workers, r))
                    if workers == 1:
                        results["wrk"].append(r)
                        results["wrk"].append(wrk("gateway postgres", port, 2, seconds, ERP_KEY))
        finally:
            cluster.stop()

    results["evaluate_us"] = measure_evaluate()
    results["fsync_ms"] = fsync_latency(work / "fsync.probe")

    if not args.quick:
        port = free_port()
        env = gateway_env(f"sqlite:///{work}/soak.db")
        with server(gateway_cmd(port, 1), env, port, work / "soak.log") as pid:
            asyncio.run(seed(port))
            wrk("soak warm-up", port, 4, 20, ERP_KEY)
            start = rss_kib(pid)
            soak = wrk("soak", port, 4, args.soak_seconds, ERP_KEY)
            end = rss_kib(pid)
            results["soak"] = {
                "seconds": args.soak_seconds,
                "rss_start_kib": start,
                "rss_end_kib": end,
                "requests": soak.requests,
                "growth_pct": round((end - start) / start * 100, 1),
                # The log must stay bounded under load (see docs/operations.md).
                "db_mib": (work / "soak.db").stat().st_size / 2**20,
                "wal_mib": (work / "soak.db-wal").stat().st_size / 2**20,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short runs, no soak")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--soak-seconds", type=int, default=300)
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    results = run(args)
    text = report(results, "python -m bench.run " + " ".join(sys.argv[1:]))
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
