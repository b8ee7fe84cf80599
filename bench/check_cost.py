"""A check's CPU time in process: the whole app (edge, fast path, group commit), no server.

    python -m bench.check_cost [--connections 2] [--rounds 3] [--checks 800]
                               [--baseline DIR] [--turns 3]

Builds the app as `gateway serve` does (SQLite file, FULL sync, JSON log to /dev/null),
seeds 1,000 customers with five open items each, warms up, then sends `--checks` new
orders per round, `--connections` at a time, straight to the ASGI app, and prints the
CPU time (time.process_time) per check of each round. With `--baseline` (a `git
archive` of another commit), that tree's gateway is measured the same way in
alternating turns, each in a process of its own: CPU time, not wall time, for the
wall clock of these shared machines drifts by a third between runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = 1000


async def _call(
    app: Any, headers: list[tuple[bytes, bytes]], method: str, path: str, body: Any
) -> None:
    data = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-length", str(len(data)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:  # nothing more: the client waits for the answer
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    if not status or status[0] >= 300:
        raise RuntimeError(f"{method} {path} answered {status}")


async def _measure(connections: int, rounds: int, checks: int, tree: Path) -> list[float]:
    key = "bench-erp-" + secrets.token_hex(12)
    work = Path(tempfile.mkdtemp(prefix="bench-cost-"))
    os.environ.update(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{work}/cost.db",
            "GATEWAY_API_KEYS": f"bench:erp:{key}",
            "GATEWAY_TOKEN_SECRET": secrets.token_urlsafe(32),
            "GATEWAY_CONFIG": str(tree / "config" / "gateway.toml"),
            "GATEWAY_LOG_LEVEL": "INFO",
            "GATEWAY_LOG_FORMAT": "json",
        }
    )
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115  (the log lines, as a server writes them)
    from gateway.app import create_app

    app = create_app(run_sync_loops=False)
    headers = [(b"authorization", f"Bearer {key}".encode()), (b"content-type", b"application/json")]
    rnd = random.Random(1)
    count = 0

    async def client(n: int) -> None:
        nonlocal count
        for _ in range(n):
            count += 1
            order = {"erp": "sap", "order_id": f"O{count}", "revision": 1}
            order |= {"customer_id": f"BC{rnd.randint(1, CUSTOMERS):04d}", "currency": "EUR"}
            order |= {"amount": f"{rnd.randint(10, 900)}.{rnd.randint(0, 99):02d}"}
            await _call(app, headers, "POST", "/v1/orders/check", order)

    async def turn(total: int) -> None:
        await asyncio.gather(*(client(total // connections) for _ in range(connections)))

    try:
        async with app.router.lifespan_context(app):
            for n in range(1, CUSTOMERS + 1):
                cid = f"BC{n:04d}"
                master = {"name": cid, "credit_limit": "100000000.00", "currency": "EUR"}
                master |= {"grade": "A", "payment_terms_days": 30}
                await _call(app, headers, "PUT", f"/v1/customers/{cid}", master)
                items = [
                    {"item_id": f"{cid}-I{i}", "kind": "invoice", "amount": "1500.00"}
                    | {"currency": "EUR", "due_date": "2099-12-31"}
                    for i in range(5)
                ]
                snapshot = {"as_of": datetime.now(UTC).isoformat(), "items": items}
                await _call(app, headers, "PUT", f"/v1/customers/{cid}/open-items", snapshot)
            await turn(max(connections * 50, 3200))  # every customer's items cached
            costs = []
            for _ in range(rounds):
                started = time.process_time()
                await turn(checks)
                costs.append((time.process_time() - started) / checks * 1e6)
            return costs
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=2, help="checks at a time")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checks", type=int, default=800, help="checks a round")
    parser.add_argument("--baseline", help="another source tree, measured in alternating turns")
    parser.add_argument("--turns", type=int, default=3, help="turns of each tree with --baseline")
    parser.add_argument("--tree", help=argparse.SUPPRESS)  # one measurement, of this tree
    args = parser.parse_args()
    if args.tree:
        costs = asyncio.run(_measure(args.connections, args.rounds, args.checks, Path(args.tree)))
        print(" ".join(f"{c:.0f}" for c in costs))
        return
    sizes = ["--connections", str(args.connections), "--rounds", str(args.rounds)]
    sizes += ["--checks", str(args.checks)]
    trees = {"this": ROOT} | ({"baseline": Path(args.baseline).resolve()} if args.baseline else {})
    for _ in range(args.turns if args.baseline else 1):
        for label, tree in trees.items():
            # The script from here, the gateway from the tree (its first on the path).
            out = subprocess.run(
                [sys.executable, __file__, "--tree", str(tree), *sizes],
                env={**os.environ, "PYTHONPATH": str(tree)},
                cwd=tree,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            print(f"{label}, {args.connections} at a time: {out} us CPU a check", flush=True)


if __name__ == "__main__":
    main()
