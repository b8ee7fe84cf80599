"""What a check costs on PostgreSQL, in process: the general path against the pipelined one.

    python -m bench.pg_check_cost [--rounds 5] [--checks 400]

One gateway process (no HTTP), one connection, a durable throwaway cluster. In
interleaved rounds the same kind of check (a new order of a seeded customer) runs
`check_order` in `write_tx` (the general path: a round trip per statement, as every
check did before issue 27) and in `pipelined_tx` (BEGIN with the reads, the writes
with COMMIT). For each: wall time per check, this process's CPU per check, and the
PostgreSQL backend's CPU per check (/proc of the connection's server process).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, text

from gateway.app import create_app
from gateway.auth import parse_api_keys
from gateway.db.engine import write_tx
from gateway.db.pipeline import pipelined_tx
from gateway.orders.schemas import CheckIn
from gateway.orders.service import check_order
from gateway.resources import Resources
from gateway.settings import Settings
from tests.support.postgres import PostgresCluster

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-erp-" + secrets.token_hex(12)
CUSTOMERS = 200

Tx = Callable[[Any], AbstractContextManager[Connection]]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    for n in range(1, CUSTOMERS + 1):
        cid = f"BC{n:04d}"
        customer = {
            "name": cid,
            "credit_limit": "100000000.00",
            "currency": "EUR",
            "grade": "A",
            "payment_terms_days": 30,
            "blocked": False,
            "review_date": None,
        }
        client.put(f"/v1/customers/{cid}", json=customer, headers=headers).raise_for_status()
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
        r = client.put(
            f"/v1/customers/{cid}/open-items",
            json={"as_of": "2026-12-01T00:00:00+00:00", "items": items},
            headers=headers,
        )
        r.raise_for_status()


def orders(prefix: str) -> Iterator[CheckIn]:
    n = 0
    while True:
        n += 1
        yield CheckIn.model_validate(
            {
                "erp": "sap",
                "order_id": f"{prefix}{n:07d}",
                "revision": 1,
                "customer_id": f"BC{n % CUSTOMERS + 1:04d}",
                "amount": "10.00",
                "currency": "EUR",
            }
        )


def measure(
    res: Resources, tx: Tx, checks: int, bodies: Iterator[CheckIn], backend: int
) -> dict[str, float]:
    cpu, server, wall = time.thread_time(), cpu_seconds(backend), time.perf_counter()
    for _ in range(checks):
        body = next(bodies)
        with tx(res.engine) as conn:
            check_order(conn, body, res.check_context())
    return {
        "wall_us": (time.perf_counter() - wall) / checks * 1e6,
        "cpu_us": (time.thread_time() - cpu) / checks * 1e6,
        "pg_cpu_us": (cpu_seconds(backend) - server) / checks * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--checks", type=int, default=400)
    parser.add_argument("--profile", help="write a cProfile of the pipelined rounds here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pgcost-"))
    cluster = PostgresCluster.start(work / "pg", durable=True)
    try:
        url = cluster.create_database("bench")
        settings = Settings(
            database_url=url,
            config_path=ROOT / "config" / "gateway.toml",
            api_keys=parse_api_keys(f"bench:erp:{KEY}"),
            token_secret=secrets.token_urlsafe(32),
        )
        with TestClient(create_app(settings, run_sync_loops=False)) as client:
            seed(client)
            app_res: Resources = client.app.state.resources  # type: ignore[attr-defined]
            engine = create_engine(url, pool_size=1, max_overflow=0)
            res = dataclasses.replace(app_res, engine=engine)
            with engine.connect() as conn:
                backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            ways: dict[str, Tx] = {"general (write_tx)": write_tx, "pipelined": pipelined_tx}
            bodies = {name: orders(f"W{n}-") for n, name in enumerate(ways)}
            for name, tx in ways.items():  # warm-up: caches, prepared statements
                measure(res, tx, CUSTOMERS, bodies[name], backend)
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in ways}
            if args.profile:
                import cProfile

                # CPU time of this thread: waiting for the server is not counted.
                profile = cProfile.Profile(time.thread_time)
                profile.runcall(
                    measure, res, pipelined_tx, args.checks, bodies["pipelined"], backend
                )
                profile.dump_stats(args.profile)
            for _ in range(args.rounds):
                for name, tx in ways.items():
                    rounds[name].append(measure(res, tx, args.checks, bodies[name], backend))
            engine.dispose()
        print(f"{args.rounds} interleaved rounds of {args.checks} checks, medians (each round):")
        for name, runs in rounds.items():
            cells = []
            for key in ("wall_us", "cpu_us", "pg_cpu_us"):
                each = ", ".join(f"{r[key]:.0f}" for r in runs)
                cells.append(f"{key} {statistics.median(r[key] for r in runs):.0f} ({each})")
            print(f"- {name}: " + "; ".join(cells))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
