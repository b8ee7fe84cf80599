"""The demo's traffic alone, against a running gateway and both mocks (docker-compose's
`traffic` service): `python -m gateway.demo --gateway-url ... --sap-url ... --baan-url ...`.
The admin key comes from GATEWAY_DEMO_ADMIN_KEY (never from the command line)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter

from gateway.demo.desk import RemoteDesk
from gateway.demo.traffic import summary, traffic


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.demo", description=__doc__)
    parser.add_argument("--gateway-url", required=True)
    parser.add_argument("--sap-url", required=True)
    parser.add_argument("--baan-url", required=True)
    parser.add_argument("--rate", type=float, default=2.0, help="ERP events per second")
    parser.add_argument("--troubled-share", type=float, default=0.1)
    parser.add_argument("--seconds", type=float, help="stop after this long (default: never)")
    args = parser.parse_args()
    key = os.environ.get("GATEWAY_DEMO_ADMIN_KEY", "")
    if not key:
        print("GATEWAY_DEMO_ADMIN_KEY is not set: the traffic syncs with an admin key")
        return 2
    desk = RemoteDesk(args.gateway_url, args.sap_url, args.baan_url, key)
    stats: Counter[str] = Counter()
    started = time.monotonic()
    stop_at = started + args.seconds if args.seconds else None

    async def run() -> None:
        await asyncio.gather(
            traffic(desk, args.rate, stats, stop_at, args.troubled_share),
            summary(desk, stats, started, stop_at),
        )

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
