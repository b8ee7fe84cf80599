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
import platform
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


def uvicorn_bare(port: int, workers: int) -> list[str]:
    # The same settings `gateway serve` passes to uvicorn.
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare_app:app",
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
        "GATEWAY_LOG_LEVEL": "WARNING",
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
    results: dict[str, Any] = {"wrk": [], "scaling": [], "soak": None}

    port = free_port()
    with server(uvicorn_bare(port, 1), {}, port, work / "bare.log"):
        wrk("bare", port, 16, 3, ERP_KEY)  # warm-up
        for c in (2, 16):
            results["wrk"].append(wrk("bare", port, c, seconds, ERP_KEY))

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
            }
    return results


def report(results: dict[str, Any], command: str) -> str:
    rows = results["wrk"]
    bare = {r.connections: r.rps for r in rows if r.label == "bare"}
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "Every request is a new order (a write: decision record, reservation). "
        f"{CUSTOMERS} customers with five open items each. One uvicorn worker unless noted; "
        "wrk with 2 threads.",
        "",
        "| endpoint | connections | req/s | ratio to bare | p50 ms | p99 ms | p99.9 ms | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ratio = r.rps / bare[r.connections] if bare.get(r.connections) else 0
        lines.append(
            f"| {r.label} | {r.connections} | {r.rps:.0f} | {ratio:.2f} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.p999_ms:.2f} | {r.non2xx} |"
        )
    if results["scaling"]:
        base = results["scaling"][0][1].rps
        lines += [
            "",
            "Scaling on PostgreSQL (16 connections):",
            "",
            "| workers | req/s | vs 1 worker | p99 ms |",
            "| ---: | ---: | ---: | ---: |",
        ]
        for workers, r in results["scaling"]:
            lines.append(f"| {workers} | {r.rps:.0f} | {r.rps / base:.2f} | {r.p99_ms:.2f} |")
    lines += [
        "",
        f"Pure decision function: {results['evaluate_us']:.2f} us per evaluation "
        "(20 open items, every check on).",
        "",
        f"The disk under these figures: fsync of a 4 KiB append p50 {results['fsync_ms'][0]:.2f} "
        f"ms, p99 {results['fsync_ms'][1]:.2f} ms (every durable check waits for one).",
    ]
    lines += ["", *targets(results)]
    soak = results["soak"]
    if soak:
        lines += [
            "",
            f"Soak: {soak['seconds']} s at 4 connections, {soak['requests']} orders; "
            f"RSS {soak['rss_start_kib']} KiB -> {soak['rss_end_kib']} KiB "
            f"({soak['growth_pct']:+.1f}%).",
        ]
    return "\n".join(lines) + "\n" + NOTES


NOTES = """
## Where the time goes (read with py-spy, not measured by this script)

- Every check is a write (decision record, reservation). On SQLite, checks that arrive
  together share one transaction and one commit (`gateway/db/group_commit.py`), each in
  a savepoint, answered only after the commit (one fsync per batch with
  `synchronous=FULL`). `gateway_sqlite_commit_batch_size` shows the batches: about
  one check at 2 connections, ten and more at 16. Committing on a worker thread, to
  read requests during the fsync, measured no faster and was dropped.
- Without the check (the same route answering a canned body) the gateway's HTTP side
  (authentication, request id, metrics, validation) runs level with the bare endpoint:
  the gap in the table is the check's own work and its commit.
- The check's statements run on the driver connection (`gateway/db/fast.py`):
  SQLAlchemy's execute path cost about 40 us a statement, ten times SQLite's own work.
  Open items are reused in memory under the customer row's etag
  (`gateway/customers/items_cache.py`).
- What is left is mostly what the bare endpoint pays too (uvicorn, Starlette, FastAPI
  routing, dependencies and validation) plus authentication, the request id, metrics
  and one log line per check. wrk runs on the same two cores; so does PostgreSQL in its
  rows (durable settings), which is why 4 workers do no better than 2.
- Light-load latency includes one fsync per check (median 0.6 ms, p90 2.4 ms on the
  virtual disk these figures come from); run-to-run noise on these shared VMs is large
  (CPU steal), which is why only ratios within one run are compared.
"""


def targets(results: dict[str, Any]) -> list[str]:
    """The issue's targets for these 2-core machines, met or not, from this run."""
    rows = {(r.label, r.connections): r for r in results["wrk"]}
    bare16 = rows.get(("bare", 16))
    sqlite16 = rows.get(("gateway sqlite", 16))
    light = rows.get(("gateway sqlite", 2))
    out = [
        "Targets (issue: ratio >= 0.5 on SQLite, p99 at 2 connections <= 5 ms, "
        "evaluation <= 20 us, RSS growth < 10% over the soak):",
        "",
    ]
    if bare16 and sqlite16:
        ratio = sqlite16.rps / bare16.rps
        out.append(
            f"- throughput ratio, SQLite, 16 connections: {ratio:.2f} "
            f"({'met' if ratio >= 0.5 else 'NOT met'})"
        )
    if light:
        out.append(
            f"- p99 at 2 connections, SQLite: {light.p99_ms:.2f} ms "
            f"({'met' if light.p99_ms <= 5 else 'NOT met'})"
        )
    out.append(
        f"- pure evaluation: {results['evaluate_us']:.2f} us "
        f"({'met' if results['evaluate_us'] <= 20 else 'NOT met'})"
    )
    if results["soak"]:
        growth = results["soak"]["growth_pct"]
        out.append(
            f"- RSS growth over the soak: {growth:+.1f}% ({'met' if growth < 10 else 'NOT met'})"
        )
    return out


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
