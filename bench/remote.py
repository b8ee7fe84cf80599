"""Size a deployment: the check's throughput and latency against your own gateway.

    python -m bench.remote --url https://gateway.staging:8080 --key "$ERP_KEY" \\
        --connections 2,16,64 --seconds 30

Seeds 1,000 bench customers (BC0001..BC1000, ERP-owned master data, a high limit, five
open items each) with the key (role erp), then drives `POST /v1/orders/check` with wrk
(every request a new order), once per number of connections, and prints a table of
requests per second and latency percentiles. It writes orders and customers: run it
against a staging deployment, not production. Under `[master_data] owner = "gateway"`
the seeded customers have no credit and every order is held (still a fair load).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench.load import wrk
from bench.run import seed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.remote", description=__doc__)
    parser.add_argument("--url", required=True, help="the gateway's base URL")
    parser.add_argument("--key", required=True, help="an API key of role erp")
    parser.add_argument("--connections", default="2,16", help="comma-separated")
    parser.add_argument("--seconds", type=int, default=10, help="per run")
    parser.add_argument("--skip-seed", action="store_true", help="customers already there")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    try:
        counts = [int(c) for c in args.connections.split(",")]
    except ValueError:
        parser.error("--connections: whole numbers, comma-separated")
    if not args.skip_seed:
        asyncio.run(seed(0, base_url=url, key=args.key))
    print("| connections | req/s | p50 ms | p99 ms | p99.9 ms | non-2xx |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in counts:
        r = wrk("remote", 0, n, args.seconds, args.key, base_url=url)
        print(
            f"| {n} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.p999_ms:.2f} "
            f"| {r.non2xx} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
