"""Benchmarks: the gateway's check against a bare FastAPI endpoint, in the same run.

    python -m bench.run                 # everything, ~13 minutes (5 of them the soak)
    python -m bench.run --quick         # short runs, no soak: a smoke test of the harness
    python -m bench.run --only-postgres # PostgreSQL: latency, ratio, 1/2/4 workers
    python -m bench.run --baseline DIR  # also the gateway of another source tree (a
                                        # `git archive` of the base commit), in the same turns

Writes bench/RESULTS.md: the machine, the command, and the figures. Throughput is
reported as a ratio to the bare endpoint (same request model, same uvicorn
settings, same wrk load), never as an absolute number to compare across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.load import CUSTOMERS, Probe, interleaved, median_of, probed, wrk
from bench.micro_evaluate import measure as measure_evaluate
from bench.report import QUIET, report
from tests.support.processes import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[1]
ERP_KEY = "bench-erp-" + secrets.token_hex(12)
ADMIN_KEY = "bench-admin-" + secrets.token_hex(12)
BASELINE = "gateway sqlite baseline"
PG = "gateway postgres"


@contextmanager
def server(
    cmd: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = ROOT
) -> Iterator[int]:
    """A server process for the length of a measurement; yields its pid."""
    with ServerProcess(cmd, port=port, env=env, log=log, cwd=cwd) as proc:
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
        # The product's defaults, as in production: a JSON log line per hold
        # (GATEWAY_DECISION_LOG=holds); plain releases are counted, not logged.
        "GATEWAY_LOG_LEVEL": "INFO",
        "GATEWAY_LOG_FORMAT": "json",
    }


async def seed(
    port: int, customers: int = CUSTOMERS, base_url: str | None = None, key: str = ERP_KEY
) -> None:
    """1,000 customers, each with five open items: realistic balances to sum."""
    headers = {"Authorization": f"Bearer {key}"}
    base = base_url or f"http://127.0.0.1:{port}"
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
                    # Taken now: fresh for the run (stale after a day), and never dated in
                    # the future, which the gateway refuses (AS_OF_IN_FUTURE).
                    json={"as_of": datetime.now(UTC).isoformat(), "items": items},
                )
                r.raise_for_status()

        await asyncio.gather(*(one(n) for n in range(1, customers + 1)))


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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The gateway's own account of its SQLite commits, by the names the report uses.
COMMIT_SAMPLES = {
    "gateway_sqlite_commit_seconds_count": "commits",
    "gateway_sqlite_commit_seconds_sum": "commit_s",
    "gateway_sqlite_commit_batch_size_sum": "checks",
}


def probe(pid: int, port: int | None) -> Probe:
    """The server's CPU time and, given the gateway's port, its commit counters."""

    def read() -> dict[str, float]:
        # CPU first: a run's CPU time then includes one scrape (its own before-scrape,
        # a few ms against seconds of load), never the one after it.
        figures = {"cpu_s": cpu_seconds(pid)}
        if port is not None:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    if sample.name in COMMIT_SAMPLES:
                        figures[COMMIT_SAMPLES[sample.name]] = sample.value
        return figures

    return read


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (uvicorn's workers, PostgreSQL's backends)."""
    total = cpu_seconds(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def postgres_probe(gateway_pid: int, postmaster_pid: int) -> Probe:
    """The gateway's CPU time (its workers included) and the PostgreSQL cluster's."""
    return lambda: {
        "cpu_s": tree_cpu_seconds(gateway_pid),
        "pg_cpu_s": tree_cpu_seconds(postmaster_pid),
    }


def postgres(args: argparse.Namespace, work: Path, seconds: int) -> dict[str, Any]:
    """The gateway on PostgreSQL: 1 worker against the bare endpoint in interleaved
    rounds at 2 and 16 connections (latency and ratio, the issue's targets), then
    1, 2 and 4 workers at 16 connections (scaling), with both processes' CPU."""
    from tests.support.postgres import PostgresCluster

    found: dict[str, Any] = {"scaling": [], "pg_rounds": {}, "pg_wrk": []}
    # Durable settings (fsync, synchronous_commit on): what production runs.
    cluster = PostgresCluster.start(work / "pg", durable=True)
    try:
        url = cluster.create_database("bench")
        postmaster = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
        bare_port = free_port()
        bare_log = work / "bare-pg-phase.log"
        with server(uvicorn_bare(bare_port, 1), {}, bare_port, bare_log) as bare_pid:
            for workers in (1, 2, 4):
                port = free_port()
                log = work / f"gw-pg-{workers}.log"
                with server(gateway_cmd(port, workers), gateway_env(url), port, log) as pid:
                    if workers == 1:
                        asyncio.run(seed(port))
                        ports = {"bare": bare_port, PG: port}
                        probes = {
                            "bare": probe(bare_pid, None),
                            PG: postgres_probe(pid, postmaster),
                        }
                        runs = interleaved(ports, ERP_KEY, (2, 16), args.rounds, seconds, probes)
                        found["pg_rounds"] = runs
                        found["pg_wrk"] = [median_of(r) for r in runs.values()]
                    else:
                        wrk(PG, port, 16, 3, ERP_KEY)  # warm-up
                    measure = probed(wrk, postgres_probe(pid, postmaster))
                    found["scaling"].append((workers, measure(PG, port, 16, 3 * seconds, ERP_KEY)))
    finally:
        cluster.stop()
    return found


def sqlite(args: argparse.Namespace, work: Path, seconds: int) -> dict[str, Any]:
    """The SQLite endpoints and the bare ones, all up at once, measured in turns."""
    # The endpoints compared with the bare one, all up at once, measured in turns.
    # `bare sync def` (the same endpoint on FastAPI's thread pool) is for reference only;
    # QUIET, the gateway with a log line for every decision, prices that line.
    normal = {
        **gateway_env(f"sqlite:///{work}/bench-normal.db"),
        "GATEWAY_SQLITE_SYNCHRONOUS": "NORMAL",
    }
    quiet = {**gateway_env(f"sqlite:///{work}/bench-quiet.db"), "GATEWAY_DECISION_LOG": "all"}
    servers = {
        "bare": (uvicorn_bare, {}, "bench.bare_app:app"),
        "gateway sqlite": (gateway_cmd, gateway_env(f"sqlite:///{work}/bench.db"), None),
        "gateway sqlite NORMAL": (gateway_cmd, normal, None),
        QUIET: (gateway_cmd, quiet, None),
        "bare sync def": (uvicorn_bare, {}, "bench.bare_app:sync_app"),
    }
    cwds = {}
    if args.baseline:
        # `python -m gateway.cli` imports the gateway of its working directory.
        base = Path(args.baseline).resolve()
        servers[BASELINE] = (gateway_cmd, gateway_env(f"sqlite:///{work}/bench-base.db"), None)
        servers[BASELINE][1]["GATEWAY_CONFIG"] = str(base / "config" / "gateway.toml")
        cwds[BASELINE] = base
    with ExitStack() as stack:
        ports, probes = {}, {}
        for label, (command, env, app) in servers.items():
            port = ports[label] = free_port()
            cmd = command(port, 1) if app is None else uvicorn_bare(port, 1, app)
            log = work / f"{label.replace(' ', '-')}.log"
            pid = stack.enter_context(server(cmd, env, port, log, cwds.get(label, ROOT)))
            gateway = label.startswith("gateway")
            probes[label] = probe(pid, port if gateway else None)
            if gateway:
                asyncio.run(seed(port))
        runs = interleaved(ports, ERP_KEY, (2, 16), args.rounds, seconds, probes)
    return {"rounds": runs, "wrk": [median_of(r) for r in runs.values()]}


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = 2 if args.quick else 5
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    results: dict[str, Any] = {"wrk": [], "scaling": [], "soak": None, "customers": CUSTOMERS}

    if not args.only_postgres:
        results.update(sqlite(args, work, seconds))

    if not args.skip_postgres:
        results.update(postgres(args, work, seconds))

    results["evaluate_us"] = measure_evaluate()
    results["fsync_ms"] = fsync_latency(work / "fsync.probe")

    if not args.quick and not args.only_postgres:
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
    parser.add_argument(
        "--only-postgres", action="store_true", help="the PostgreSQL rows alone (and no soak)"
    )
    parser.add_argument("--soak-seconds", type=int, default=300)
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns of the interleaved SQLite comparison"
    )
    parser.add_argument(
        "--baseline", help="a source tree whose gateway runs beside this one, in the same turns"
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    results = run(args)
    text = report(results, "python -m bench.run " + " ".join(sys.argv[1:]))
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
